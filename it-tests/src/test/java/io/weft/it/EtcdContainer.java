package io.weft.it;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * One etcd member in a container, from the local image {@code weft-etcd:local} (built by
 * {@code scripts/ensure-etcd-image.sh}: {@code /etcd} and {@code /etcdctl}, no shell). Single members
 * and three-member clusters, plain or with TLS client-certificate auth; {@link #etcdctl} runs the
 * image's own etcdctl inside the container, and {@link #pause()}/{@link #unpause()} freeze it through the
 * Docker engine. Readiness is etcd's log line, since there is no shell for other wait strategies.
 * Owned by one test class; not thread-safe while starting.
 */
final class EtcdContainer extends GenericContainer<EtcdContainer> {
    static final DockerImageName IMAGE = DockerImageName.parse("weft-etcd:local");
    static final int CLIENT_PORT = 2379;
    private static final int PEER_PORT = 2380;
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final String initialCluster;
    private TlsFiles tls;

    /** Server-side TLS material, PEM. */
    record TlsFiles(String caPem, String serverCertPem, String serverKeyPem, String clientCertPem, String clientKeyPem) {
    }

    private EtcdContainer(String name, String initialCluster) {
        super(IMAGE);
        this.name = name;
        this.initialCluster = initialCluster;
        withExposedPorts(CLIENT_PORT);
        waitingFor(Wait.forLogMessage(".*ready to serve client requests.*", 1)
                .withStartupTimeout(Duration.ofSeconds(60)));
    }

    /** A one-member cluster. */
    static EtcdContainer single() {
        return new EtcdContainer("etcd0", null);
    }

    /** {@code size} members that form one cluster on {@code network}; start them together. */
    static List<EtcdContainer> cluster(Network network, int size) {
        String initial = IntStream.range(0, size)
                .mapToObj(i -> "etcd" + i + "=http://etcd" + i + ":" + PEER_PORT)
                .collect(Collectors.joining(","));
        List<EtcdContainer> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            EtcdContainer m = new EtcdContainer("etcd" + i, initial);
            m.withNetwork(network).withNetworkAliases("etcd" + i);
            members.add(m);
        }
        return members;
    }

    /** Serves clients over TLS and requires client certificates signed by the CA. */
    EtcdContainer withTls(TlsFiles files) {
        this.tls = files;
        withCopyToContainer(Transferable.of(files.caPem()), "/certs/ca.pem");
        withCopyToContainer(Transferable.of(files.serverCertPem()), "/certs/server.pem");
        withCopyToContainer(Transferable.of(files.serverKeyPem(), 0600), "/certs/server-key.pem");
        withCopyToContainer(Transferable.of(files.clientCertPem()), "/certs/client.pem");
        withCopyToContainer(Transferable.of(files.clientKeyPem(), 0600), "/certs/client-key.pem");
        return this;
    }

    @Override
    protected void configure() {
        String scheme = tls == null ? "http" : "https";
        List<String> cmd = new ArrayList<>(List.of(
                "--name", name,
                "--data-dir", "/data/" + name,
                "--listen-client-urls", scheme + "://0.0.0.0:" + CLIENT_PORT,
                "--advertise-client-urls", scheme + "://" + (initialCluster == null ? "127.0.0.1" : name) + ":" + CLIENT_PORT));
        if (initialCluster != null) {
            cmd.addAll(List.of(
                    "--listen-peer-urls", "http://0.0.0.0:" + PEER_PORT,
                    "--initial-advertise-peer-urls", "http://" + name + ":" + PEER_PORT,
                    "--initial-cluster", initialCluster,
                    "--initial-cluster-state", "new",
                    "--initial-cluster-token", "weft-it"));
        }
        if (tls != null) {
            cmd.addAll(List.of(
                    "--cert-file", "/certs/server.pem",
                    "--key-file", "/certs/server-key.pem",
                    "--trusted-ca-file", "/certs/ca.pem",
                    "--client-cert-auth"));
        }
        setCommand(cmd.toArray(String[]::new));
    }

    /** The member's name, e.g. {@code etcd1}; etcd's own name for it. */
    String memberName() {
        return name;
    }

    /** The client URL as seen from the test JVM, e.g. {@code http://localhost:32771}. */
    String clientEndpoint() {
        return (tls == null ? "http" : "https") + "://" + getHost() + ":" + getMappedPort(CLIENT_PORT);
    }

    /**
     * Runs {@code /etcdctl ARGS} inside the container against this member and returns its output.
     *
     * @throws AssertionError when etcdctl exits non-zero, with its stderr
     */
    String etcdctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/etcdctl", "--command-timeout=" + EXEC_TIMEOUT.toSeconds() + "s",
                "--endpoints=" + (tls == null ? "http" : "https") + "://127.0.0.1:" + CLIENT_PORT));
        if (tls != null) {
            cmd.addAll(List.of("--cacert=/certs/ca.pem", "--cert=/certs/client.pem", "--key=/certs/client-key.pem"));
        }
        cmd.addAll(List.of(args));
        ExecResult r;
        try {
            r = execInContainer(cmd.toArray(String[]::new));
        } catch (IOException e) {
            throw new AssertionError("etcdctl " + String.join(" ", args) + " could not run: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running etcdctl " + String.join(" ", args), e);
        }
        if (r.getExitCode() != 0) {
            throw new AssertionError("etcdctl " + String.join(" ", args) + " exited " + r.getExitCode() + ": "
                    + r.getStderr() + r.getStdout());
        }
        return r.getStdout();
    }

    /** Freezes every process of the member (docker pause): its sockets stay open but nothing answers. */
    void pause() {
        getDockerClient().pauseContainerCmd(getContainerId()).exec();
    }

    void unpause() {
        getDockerClient().unpauseContainerCmd(getContainerId()).exec();
    }

    /** The value of the first line of etcd's {@code /metrics} that {@code counter} matches (group 1), 0 if none. */
    long metric(java.util.regex.Pattern counter) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(clientEndpoint() + "/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("etcd's /metrics answered " + r.statusCode());
        }
        java.util.regex.Matcher m = counter.matcher(r.body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    /** Test host i's subnet in 100.64.0.0/10 and its attributes (PublicIP 198.18.x.y), for tests with many hosts. */
    static io.weft.core.model.Ipv4Subnet hostSubnet(int i) {
        return io.weft.core.model.Ipv4Subnet.parse("100." + (64 + i / 256) + "." + (i % 256) + ".0/24");
    }

    static io.weft.core.model.LeaseAttrs hostAttrs(int i) {
        return io.weft.core.model.LeaseAttrs.of("198.18." + (i / 256) + "." + (i % 256), "udp");
    }
}
