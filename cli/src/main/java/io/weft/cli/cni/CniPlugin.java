package io.weft.cli.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.daemon.SubnetEnv;
import io.weft.core.daemon.SubnetEnvFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * weft's CNI plugin (spec 1.0.0, and 0.3.x/0.4.0 for older runtimes): a meta-plugin that reads
 * subnet.env and hands the work to a delegate plugin, as flannel's does. ADD saves the delegate config so
 * DEL and CHECK use exactly what ADD used. One instance serves one invocation.
 */
public final class CniPlugin {
    static final List<String> SUPPORTED_VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0");
    private static final String LATEST = "1.0.0";

    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, String> env;

    public CniPlugin(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The outcome of one invocation: what goes to stdout, and the exit code. */
    public record Outcome(String stdout, int exitCode) {
        /**
         * What {@code weft cni} prints: the result without surrounding white space and with one line end, or
         * nothing. The daemon's CNI socket answers with the same text, so both paths print the same bytes.
         */
        public String printed() {
            String text = stdout.strip();
            return text.isEmpty() ? "" : text + "\n";
        }
    }

    /** The outcome of a call that never reached a plugin (e.g. a malformed request on the daemon's socket). */
    static Outcome rejected(CniException e) {
        return new Outcome(new CniPlugin(Map.of()).errorJson(LATEST, e), 1);
    }

    /** Runs the command named by CNI_COMMAND with the network config read from {@code stdin}. */
    public Outcome run(StdinSource stdin) {
        String version = LATEST;
        try {
            String command = env.get("CNI_COMMAND");
            if (command == null || command.isEmpty()) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_COMMAND is not set",
                        "weft cni is run by a container runtime with CNI_COMMAND set to ADD, DEL, CHECK or VERSION");
            }
            if (command.equals("VERSION")) {
                return new Outcome(versionJson(), 0);
            }
            if (!List.of("ADD", "DEL", "CHECK").contains(command)) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_COMMAND \"" + command + "\" is not supported",
                        "use ADD, DEL, CHECK or VERSION");
            }
            CniNetConf conf = CniNetConf.parse(mapper, stdin.readAll());
            if (!conf.cniVersion().isEmpty()) {
                version = conf.cniVersion();
                if (!SUPPORTED_VERSIONS.contains(version)) {
                    String given = version;
                    version = LATEST;
                    throw new CniException(CniException.INCOMPATIBLE_VERSION, "CNI version " + given + " is not supported",
                            "supported versions: " + String.join(", ", SUPPORTED_VERSIONS));
                }
            }
            String containerId = required("CNI_CONTAINERID");
            required("CNI_IFNAME");
            ScratchConfigs scratch = new ScratchConfigs(conf.dataDir());
            String out = switch (command) {
                case "ADD" -> add(conf, containerId, scratch);
                case "DEL" -> del(containerId, scratch);
                default -> check(conf, containerId, scratch);
            };
            return new Outcome(out, 0);
        } catch (CniException e) {
            return new Outcome(errorJson(version, e), 1);
        } catch (RuntimeException e) {
            // Whatever went wrong, the runtime gets the spec's error JSON, never a bare stack trace.
            return new Outcome(errorJson(version, new CniException(CniException.IO_FAILURE,
                    "weft cni failed: " + e, "run the same command with the daemon's logs at hand")), 1);
        }
    }

    private String add(CniNetConf conf, String containerId, ScratchConfigs scratch) {
        required("CNI_NETNS");
        required("CNI_PATH");
        SubnetEnv subnetEnv = readSubnetEnv(conf);
        ObjectNode delegate = DelegateConfig.build(conf, subnetEnv);
        byte[] bytes = json(delegate);
        scratch.save(containerId, bytes);
        return DelegatePlugin.invoke(mapper, delegate.get("type").textValue(), "ADD", bytes, env);
    }

    private String del(String containerId, ScratchConfigs scratch) {
        Optional<byte[]> saved = scratch.load(containerId);
        if (saved.isEmpty()) {
            return ""; // nothing was added, or DEL already ran: success, as the spec asks
        }
        required("CNI_PATH");
        String type = savedConfig(containerId, saved.get()).get("type").textValue();
        DelegatePlugin.invoke(mapper, type, "DEL", saved.get(), env);
        scratch.delete(containerId);
        return "";
    }

    private String check(CniNetConf conf, String containerId, ScratchConfigs scratch) {
        required("CNI_NETNS");
        required("CNI_PATH");
        if (conf.cniVersion().startsWith("0.3")) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "CHECK needs CNI version 0.4.0 or later",
                    "the config says " + conf.cniVersion());
        }
        byte[] saved = scratch.load(containerId).orElseThrow(() -> new CniException(CniException.UNKNOWN_CONTAINER,
                "container " + containerId + " is unknown to weft", "no ADD was recorded in " + conf.dataDir()));
        ObjectNode delegate = savedConfig(containerId, saved);
        if (conf.prevResult() != null) {
            delegate.set("prevResult", conf.prevResult().deepCopy());
        }
        DelegatePlugin.invoke(mapper, delegate.get("type").textValue(), "CHECK", json(delegate), env);
        return "";
    }

    private SubnetEnv readSubnetEnv(CniNetConf conf) {
        try {
            return new SubnetEnvFile(conf.subnetFile()).read().orElseThrow(() -> new CniException(
                    CniException.TRY_AGAIN_LATER, "subnet file " + conf.subnetFile()
                    + " does not exist: is the weft daemon running?",
                    "the weft daemon writes it once it holds a lease; set subnetFile if it writes elsewhere"));
        } catch (WeftException e) {
            throw new CniException(CniException.DECODE_FAILURE, e.getMessage(), "");
        }
    }

    /** The delegate config ADD saved, checked to be an object with a string type. */
    private ObjectNode savedConfig(String containerId, byte[] saved) {
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = mapper.readTree(saved);
        } catch (java.io.IOException e) {
            node = null;
        }
        if (!(node instanceof ObjectNode obj) || !obj.path("type").isTextual()) {
            throw new CniException(CniException.DECODE_FAILURE, "saved delegate config of " + containerId + " is corrupt",
                    "delete it from the data dir; the container's network may need cleaning by hand");
        }
        return obj;
    }

    private String required(String name) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, name + " is not set",
                    "the runtime must set " + name + " for CNI_COMMAND " + env.get("CNI_COMMAND"));
        }
        return v;
    }

    private byte[] json(ObjectNode node) {
        try {
            return mapper.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot encode the delegate config", e.getOriginalMessage());
        }
    }

    private String versionJson() {
        ObjectNode n = mapper.createObjectNode();
        n.put("cniVersion", LATEST);
        SUPPORTED_VERSIONS.forEach(n.putArray("supportedVersions")::add);
        return n.toString();
    }

    private String errorJson(String version, CniException e) {
        ObjectNode n = mapper.createObjectNode();
        n.put("cniVersion", version);
        n.put("code", e.code());
        n.put("msg", e.getMessage());
        n.put("details", e.details());
        return n.toString();
    }

    /** Where the network config comes from; read only by commands that need one. */
    @FunctionalInterface
    public interface StdinSource {
        byte[] readAll();
    }
}
