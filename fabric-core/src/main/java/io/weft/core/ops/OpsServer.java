package io.weft.core.ops;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.ScheduledFuture;
import io.weft.core.WeftException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's local HTTP endpoint: {@code /healthz} (200 while the daemon runs), {@code /readyz} (200
 * once ready, else 503 with the reason), {@code /metrics} (Prometheus text) and {@code /status} (JSON for
 * {@code weft status}).
 *
 * <p>A liveness probe must get its answer whatever other clients do, so it is served with Netty (which jetcd
 * brings along anyway): one I/O thread reads every connection without blocking, so a client that sends half
 * a request holds no thread. The same thread ({@value #THREAD_NAME}) builds the replies: each is built from
 * memory in well under a millisecond, so a second thread would cost its stack and buy nothing. Each connection
 * carries one request and must be done within {@link #CONNECTION_DEADLINE} from its accept, request read and
 * reply written, or it is closed; requests are limited to small headers and bodies. Owned and closed by the
 * daemon; thread-safe.
 */
public final class OpsServer implements AutoCloseable {
    /** How long one connection may take, from accept to the last byte of the reply. */
    public static final Duration CONNECTION_DEADLINE = Duration.ofSeconds(10);
    static final String THREAD_NAME = "weft-ops-http";
    private static final int MAX_BODY = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    private final EventLoopGroup io;
    private final Channel server;

    /**
     * @param notReady why the daemon is not ready, or empty when it is
     * @param status   the {@code /status} JSON
     */
    public OpsServer(String ip, int port, Supplier<Optional<String>> notReady, DaemonMetrics metrics,
            Supplier<String> status) {
        this(ip, port, notReady, metrics, status, CONNECTION_DEADLINE);
    }

    /** As the public constructor, with another connection deadline (tests). */
    OpsServer(String ip, int port, Supplier<Optional<String>> notReady, DaemonMetrics metrics,
            Supplier<String> status, Duration deadline) {
        Routes routes = new Routes(notReady, metrics, status);
        io = new MultiThreadIoEventLoopGroup(1, task -> {
            Thread thread = new FastThreadLocalThread(task, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        }, NioIoHandler.newFactory());
        try {
            server = new ServerBootstrap()
                    .group(io)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 64)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new Deadline(deadline))
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(MAX_BODY))
                                    .addLast(routes);
                        }
                    })
                    .bind(new InetSocketAddress(ip, port)).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            shutdown();
            String cause = e.getMessage() != null ? e.getMessage() : e.toString();
            throw new WeftException("cannot serve healthz on " + ip + ":" + port + ": " + cause
                    + "; pick a free --healthz-port, or 0 to turn it off", e);
        }
    }

    /** The port actually bound (useful when 0 was not asked for but a test wants to know). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        shutdown();
    }

    /** Stops the thread, which closes every open connection. */
    private void shutdown() {
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /** Closes its connection once the deadline has passed since the accept. */
    private static final class Deadline extends ChannelInboundHandlerAdapter {
        private final Duration deadline;
        private ScheduledFuture<?> timer;

        Deadline(Duration deadline) {
            this.deadline = deadline;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            timer = ctx.executor().schedule(() -> {
                LOG.debug("ops connection from {} closed: not done within {}ms", ctx.channel().remoteAddress(),
                        deadline.toMillis());
                ctx.close();
            }, deadline.toMillis(), TimeUnit.MILLISECONDS);
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (timer != null) {
                timer.cancel(false);
            }
            super.channelInactive(ctx);
        }
    }

    /** Answers one request by its path; shared by every connection, stateless. */
    @ChannelHandler.Sharable
    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<Optional<String>> notReady;
        private final DaemonMetrics metrics;
        private final Supplier<String> status;

        Routes(Supplier<Optional<String>> notReady, DaemonMetrics metrics, Supplier<String> status) {
            this.notReady = notReady;
            this.metrics = metrics;
            this.status = status;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
            if (!request.decoderResult().isSuccess()) {
                reply(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", text("bad request\n"));
                return;
            }
            switch (new QueryStringDecoder(request.uri()).path()) {
                case "/healthz" -> reply(ctx, HttpResponseStatus.OK, "text/plain; charset=utf-8", text("ok\n"));
                case "/readyz" -> {
                    Optional<String> reason = notReady.get();
                    reply(ctx, reason.isPresent() ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
                            "text/plain; charset=utf-8", text(reason.map(r -> r + "\n").orElse("ready\n")));
                }
                case "/metrics" -> {
                    ByteBuf body = Unpooled.buffer();
                    try (OutputStream out = new ByteBufOutputStream(body)) {
                        metrics.write(out);
                    }
                    reply(ctx, HttpResponseStatus.OK, metrics.contentType(), body);
                }
                case "/status" -> reply(ctx, HttpResponseStatus.OK, "application/json; charset=utf-8",
                        text(status.get()));
                default -> reply(ctx, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", text("not found\n"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("ops connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        private static ByteBuf text(String s) {
            return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
        }

        private static void reply(ChannelHandlerContext ctx, HttpResponseStatus code, String type, ByteBuf body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, code, body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, type)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
