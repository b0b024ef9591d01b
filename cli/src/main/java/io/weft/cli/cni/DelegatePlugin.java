package io.weft.cli.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a delegate plugin (e.g. {@code bridge}) found on CNI_PATH, the way a runtime runs plugins: the
 * CNI_* environment, the config on stdin, the result or error JSON on stdout. Stateless.
 */
final class DelegatePlugin {
    private static final long TIMEOUT_SECONDS = 60;

    private DelegatePlugin() {
    }

    /** Runs {@code type} with {@code command}; returns its stdout, or throws its error as a {@link CniException}. */
    static String invoke(ObjectMapper mapper, String type, String command, byte[] config, Map<String, String> env) {
        Path exe = find(type, env.getOrDefault("CNI_PATH", ""));
        ProcessBuilder pb = new ProcessBuilder(exe.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("CNI_COMMAND", command);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            // Read on a thread of its own, not the common pool: the daemon's CNI socket runs calls side by side,
            // and on a small machine the common pool has one thread, which one call's reader would hold.
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, DelegatePlugin::startReader);
            try (OutputStream in = p.getOutputStream()) {
                in.write(config);
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniException(CniException.DELEGATE_FAILED, "delegate plugin " + type + " timed out",
                        "no answer from " + exe + " after " + TIMEOUT_SECONDS + " s");
            }
            String stdout = new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw delegateError(mapper, type, command, stdout, p.exitValue());
            }
            return stdout;
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot run delegate plugin " + exe, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniException(CniException.TRY_AGAIN_LATER, "interrupted while running " + exe, "");
        }
    }

    private static void startReader(Runnable read) {
        Thread reader = new Thread(read, "weft-cni-delegate-out");
        reader.setDaemon(true);
        reader.start();
    }

    private static CniException delegateError(ObjectMapper mapper, String type, String command, String stdout, int exit) {
        try {
            JsonNode err = mapper.readTree(stdout);
            if (err != null && err.has("code") && err.has("msg")) {
                return new CniException(err.get("code").asInt(CniException.DELEGATE_FAILED),
                        "delegate " + type + " " + command + ": " + err.get("msg").asText(),
                        err.path("details").asText(""));
            }
        } catch (IOException e) {
            // not JSON: report the raw output below
        }
        return new CniException(CniException.DELEGATE_FAILED, "delegate " + type + " " + command + " exited " + exit,
                stdout.strip());
    }

    private static Path find(String type, String cniPath) {
        if (type.contains("/")) {
            throw new CniException(CniException.INVALID_CONFIG, "delegate type \"" + type + "\" is not a plugin name",
                    "name a plugin such as bridge");
        }
        for (String dir : cniPath.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, type);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new CniException(CniException.INVALID_ENVIRONMENT, "delegate plugin " + type + " not found in CNI_PATH",
                "CNI_PATH is \"" + cniPath + "\"; install the standard CNI plugins (e.g. containernetworking-plugins)");
    }
}
