package io.weft.cli.cni;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.weft.core.WeftException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's CNI socket ({@code --cni-socket}, default {@value #DEFAULT_PATH}): serves the calls that the
 * {@code cni/weft} shim would otherwise hand to a new JVM ({@code weft cni}), so a container's ADD and DEL
 * cost no JVM start. Each call runs the same {@link CniPlugin} as {@code weft cni}, with the environment and
 * stdin the shim sent, and answers with what {@code weft cni} would print and its exit code.
 *
 * <p>HTTP/1.1 over a unix socket (so the shim's client is {@code curl --unix-socket}): {@code POST /cni} with a
 * {@link CniRequest} body; the answer is 200 with the exit code on the first line and the plugin's stdout after
 * it. Whatever is wrong with a request (not {@code POST /cni}, no end of environment, over
 * {@value #MAX_REQUEST} bytes) is answered the same way, with CNI error JSON and exit code 1. One connection
 * carries one call; its request must arrive within {@link #REQUEST_DEADLINE} of the accept (the plugin's own
 * run is bounded by the delegate's timeout). One non-blocking I/O thread reads every connection, and
 * up to {@value #WORKERS} threads named {@code weft-cni-N} run the calls, as many at once as a runtime starting
 * containers in parallel would start {@code weft cni} processes; they end after {@link #WORKER_IDLE} without a
 * call, so an idle daemon keeps only the I/O thread.
 *
 * <p>The socket is mode 0600 in a directory that is created 0700 when missing: only root (the runtime) may
 * call. A socket file left by a daemon that was killed is replaced; one that another process still serves is
 * not. Closing removes the socket. Owned by {@code weft daemon}; thread-safe.
 */
public final class CniSocketServer implements AutoCloseable {
    public static final String DEFAULT_PATH = "/run/weft/cni.sock";
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);
    static final int MAX_REQUEST = 1 << 20;
    static final int WORKERS = 4;
    static final Duration WORKER_IDLE = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(CniSocketServer.class);

    private final Path path;
    private final EventLoopGroup io;
    private final ThreadPoolExecutor workers;
    private final Channel server;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Binds {@code path} and starts serving; throws a {@link WeftException} naming the path and the fix. */
    public CniSocketServer(Path path) {
        this(path, REQUEST_DEADLINE);
    }

    /** As the public constructor, with another request deadline (tests). */
    CniSocketServer(Path path, Duration requestDeadline) {
        this(path, requestDeadline, WORKER_IDLE);
    }

    /** As the public constructor, with another request deadline and worker idle time (tests). */
    CniSocketServer(Path path, Duration requestDeadline, Duration workerIdle) {
        this.path = path.toAbsolutePath();
        prepare(this.path);
        io = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("weft-cni-io", true), NioIoHandler.newFactory());
        workers = new ThreadPoolExecutor(WORKERS, WORKERS, workerIdle.toMillis(), TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), new NamedThreads("weft-cni-"));
        workers.allowCoreThreadTimeOut(true);
        Calls calls = new Calls(workers);
        try {
            server = new ServerBootstrap()
                    .group(io)
                    .channel(NioServerDomainSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 64)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new BoundedAggregator())
                                    .addLast(new RequestDeadline(requestDeadline))
                                    .addLast(calls);
                        }
                    })
                    .bind(UnixDomainSocketAddress.of(this.path)).syncUninterruptibly().channel();
            Files.setPosixFilePermissions(this.path, PosixFilePermissions.fromString("rw-------"));
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            shutdown();
            throw new WeftException("cni-socket " + this.path + " cannot be served: " + cause(e)
                    + "; give --cni-socket a path in a writable directory, or '' to turn it off", e);
        }
        LOG.info("serving CNI calls socket={}", this.path);
    }

    public Path path() {
        return path;
    }

    /** Stops serving and removes the socket; calls in progress are cut off. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // once: a second close must not remove the socket of a daemon started since
        }
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        shutdown();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("CNI socket {} not removed: {}", path, e.toString());
        }
    }

    /**
     * The I/O thread first, which closes every open connection, then the workers those closes still reach; the
     * I/O thread's short quiet period takes the last steps the workers hand back to it (no rejected task logged).
     */
    private void shutdown() {
        io.shutdownGracefully(50, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The directory (made 0700 if missing); a stale socket file removed; anything else at the path refused. */
    private static void prepare(Path path) {
        try {
            Path dir = path.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new WeftException("cni-socket " + path + " exists and is not a socket: remove it, or give"
                        + " --cni-socket another path");
            }
            try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
            } catch (ConnectException e) {
                LOG.info("removing stale CNI socket {} (no process listens on it)", path);
                Files.delete(path);
                return;
            }
            throw new WeftException("cni-socket " + path + " is served by another process (another weft daemon?):"
                    + " stop it, or give --cni-socket another path");
        } catch (IOException e) {
            throw new WeftException("cni-socket " + path + " cannot be prepared: " + e
                    + "; give --cni-socket a path in a writable directory, or '' to turn it off", e);
        }
    }

    private static String cause(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Answers {@code status} and what {@code weft cni} prints for {@code outcome}, then closes. */
    private static void reply(ChannelHandlerContext ctx, CniPlugin.Outcome outcome) {
        ByteBuf body = Unpooled.copiedBuffer(outcome.exitCode() + "\n" + outcome.printed(), StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private static CniPlugin.Outcome badRequest(String msg) {
        return CniPlugin.rejected(new CniException(CniException.DECODE_FAILURE, msg,
                "send POST /cni with `env -0`, a NUL byte and the network config, as cni/weft does"));
    }

    /** An oversized request is answered with CNI error JSON, not the aggregator's bare 413. */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        BoundedAggregator() {
            super(MAX_REQUEST);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            reply(ctx, badRequest("CNI request is over " + MAX_REQUEST + " bytes"));
        }
    }

    /** Closes its connection unless the whole request arrived within the deadline of the accept. */
    private static final class RequestDeadline extends ChannelInboundHandlerAdapter {
        private final Duration deadline;
        private ScheduledFuture<?> timer;

        RequestDeadline(Duration deadline) {
            this.deadline = deadline;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            timer = ctx.executor().schedule(() -> {
                LOG.debug("CNI connection closed: no whole request within {} ms", deadline.toMillis());
                ctx.close();
            }, deadline.toMillis(), TimeUnit.MILLISECONDS);
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof FullHttpRequest && timer != null) {
                timer.cancel(false);
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (timer != null) {
                timer.cancel(false);
            }
            super.channelInactive(ctx);
        }
    }

    /** Daemon threads named {@code prefix} and a number. */
    private static final class NamedThreads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger();

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    }

    /**
     * Decodes each request on the I/O thread and runs its call on a worker (the call waits for its delegates);
     * shared by every connection, stateless.
     */
    @ChannelHandler.Sharable
    private static final class Calls extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Executor workers;

        Calls(Executor workers) {
            this.workers = workers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                reply(ctx, badRequest("CNI request is not HTTP: " + request.decoderResult().cause()));
                return;
            }
            if (!HttpMethod.POST.equals(request.method()) || !"/cni".equals(request.uri())) {
                reply(ctx, badRequest("CNI request " + request.method() + " " + request.uri() + " is not POST /cni"));
                return;
            }
            CniRequest call;
            try {
                call = CniRequest.decode(ByteBufUtil.getBytes(request.content()));
            } catch (CniException e) {
                LOG.debug("CNI request refused: {}", e.getMessage());
                reply(ctx, CniPlugin.rejected(e));
                return;
            }
            try {
                workers.execute(() -> {
                    long start = System.nanoTime();
                    Map<String, String> env = call.environment();
                    CniPlugin.Outcome outcome = new CniPlugin(env).run(call::stdin);
                    LOG.debug("CNI call command={} container={} exit={} ms={}", env.get("CNI_COMMAND"),
                            env.get("CNI_CONTAINERID"), outcome.exitCode(), (System.nanoTime() - start) / 1_000_000);
                    reply(ctx, outcome);
                });
            } catch (RejectedExecutionException e) { // the server is closing
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("CNI connection failed: {}", cause.toString());
            ctx.close();
        }
    }
}
