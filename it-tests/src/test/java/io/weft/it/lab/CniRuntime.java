package io.weft.it.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.testing.HostRequirements;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Plays a container runtime on one lab host: makes a namespace per "container" and calls weft's CNI
 * plugin through the shipped {@code cni/weft} shim, inside the host's namespace, exactly as a runtime
 * calls a plugin (CNI_* variables, the network config on stdin), with Debian's standard plugins as the
 * delegates. All state (host-local's leases, weft's delegate configs) lives in the lab's work folder.
 * The shim is told the host daemon's CNI socket ({@code WEFT_CNI_SOCKET}), so it never looks at the machine's
 * /run/weft/cni.sock: by default the daemon serves the calls (a JVM runs them once it is gone), and
 * {@link #viaJvm()} makes every call start {@code weft cni} in a JVM. Not thread-safe.
 */
public final class CniRuntime {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PLUGINS = "/usr/lib/cni";

    private final Lab lab;
    private final LabHost host;
    private final String socket;
    private final Map<String, String> extraEnv;
    private final ObjectNode delegate;

    /** A container attached by ADD, with the address its result gave. */
    public record Container(String id, String namespace, String address, JsonNode result) {
    }

    /** What one plugin call printed and how it exited. */
    public record Call(int code, String stdout) {
    }

    public CniRuntime(Lab lab, LabHost host) {
        this(lab, host, host.cniSocket().toString(), Map.of(), null);
    }

    private CniRuntime(Lab lab, LabHost host, String socket, Map<String, String> extraEnv, ObjectNode delegate) {
        this.lab = lab;
        this.host = host;
        this.socket = socket;
        this.extraEnv = Map.copyOf(extraEnv);
        this.delegate = delegate;
    }

    /** The same runtime, with the shim told to use no daemon socket: each call starts a JVM. */
    public CniRuntime viaJvm() {
        return new CniRuntime(lab, host, "", extraEnv, delegate);
    }

    /** The same runtime, with the shim told this daemon socket. */
    public CniRuntime viaSocket(Path socket) {
        return new CniRuntime(lab, host, socket.toString(), extraEnv, delegate);
    }

    /**
     * The same runtime, with more variables in each call's environment (e.g. CNI_ARGS, or CNI_PATH with a
     * folder of plugins before Debian's) and, when not null, this {@code delegate} section in the config.
     */
    public CniRuntime with(Map<String, String> env, ObjectNode delegate) {
        return new CniRuntime(lab, host, socket, env, delegate);
    }

    /** Whether Debian's CNI plugins are installed. */
    public static boolean pluginsInstalled() {
        return Path.of(PLUGINS, "bridge").toFile().canExecute() && Path.of(PLUGINS, "host-local").toFile().canExecute();
    }

    /** Skips (or, under CI, fails) a test on a host without Debian's CNI plugins. */
    public static void requirePlugins() {
        HostRequirements.require(HostRequirements.Need.of(
                "Debian's containernetworking-plugins (scripts/ensure-test-env.sh)", CniRuntime::pluginsInstalled));
    }

    /** Creates a container namespace and attaches it with ADD; fails the test if ADD fails. */
    public Container add(String id) {
        String ns = newNamespace(id);
        Call call = call("ADD", id, ns, null);
        if (call.code() != 0) {
            throw new AssertionError("CNI ADD " + id + " on " + host + " failed (" + call.code() + "): " + call.stdout());
        }
        JsonNode result = json(call.stdout());
        return new Container(id, ns, result.path("ips").path(0).path("address").asText(), result);
    }

    /** Creates a container namespace (for an ADD expected to fail). */
    public String newNamespace(String id) {
        return lab.namespace(host.name() + id);
    }

    /** Calls the plugin with {@code command} for container {@code id} in namespace {@code ns}. */
    public Call call(String command, String id, String ns, JsonNode prevResult) {
        ObjectNode conf = MAPPER.createObjectNode();
        conf.put("cniVersion", "1.0.0");
        conf.put("name", "weft-lab");
        conf.put("type", "weft");
        conf.put("subnetFile", host.subnetFile().toString());
        conf.put("dataDir", lab.work().resolve(host.name() + "-cni").toString());
        conf.putObject("ipam").put("dataDir", lab.work().resolve(host.name() + "-ipam").toString());
        if (prevResult != null) {
            conf.set("prevResult", prevResult);
        }
        if (delegate != null) {
            conf.set("delegate", delegate.deepCopy());
        }
        Map<String, String> env = new TreeMap<>(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", id,
                "CNI_NETNS", ns == null ? "" : "/run/netns/" + ns, "CNI_IFNAME", "eth0", "CNI_PATH", PLUGINS,
                "WEFT_JAR", lab.root().resolve("cli/target/weft.jar").toString(),
                "WEFT_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "WEFT_CNI_SOCKET", socket));
        env.putAll(extraEnv);
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace(), "env"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(lab.root().resolve("cni/weft").toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(MAPPER.writeValueAsBytes(conf));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("CNI " + command + " " + id + " did not finish in 60 s");
            }
            return new Call(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError("cannot run the CNI plugin: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
