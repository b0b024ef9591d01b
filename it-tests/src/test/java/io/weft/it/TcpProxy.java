package io.weft.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP forwarder that a test can cut: {@link #cut()} drops every open connection and refuses
 * new ones until {@link #restore()}. It stands between one client and etcd, so that client alone loses
 * etcd while others keep using it. Threads are named {@code tcp-proxy-*}; {@link #close()} ends them.
 * Thread-safe.
 */
final class TcpProxy implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threads = new AtomicInteger();
    private volatile boolean cut;
    private volatile boolean closed;

    TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("accept", this::acceptLoop);
    }

    /** The URL clients use instead of etcd's. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    void cut() {
        cut = true;
        closeAll();
    }

    void restore() {
        cut = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("proxy accept failed", e);
                }
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            start("up", () -> pump(client, upstream));
            start("down", () -> pump(upstream, client));
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // The other direction or cut() closed the pair; nothing to report.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void start(String role, Runnable r) {
        Thread t = new Thread(r, "tcp-proxy-" + role + "-" + threads.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }

    private void closeAll() {
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // Closing a broken socket can fail; it is closed either way.
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        closeAll();
    }
}
