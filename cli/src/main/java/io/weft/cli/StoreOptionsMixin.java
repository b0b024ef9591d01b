package io.weft.cli;

import io.weft.core.WeftException;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The flags that say which store to use and how to reach it; shared by every command that needs one. The etcd
 * password can come from a flag, the environment ({@code WEFT_ETCD_PASSWORD}) or a file, so it need not be in
 * {@code /proc/PID/cmdline}, which every user of the host can read.
 */
final class StoreOptionsMixin {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--store", defaultValue = "etcd", paramLabel = "NAME",
            description = "Where config and leases live: etcd, or memory (this process only). Default: ${DEFAULT-VALUE}.")
    String store;

    @Option(names = "--etcd-endpoints", split = ",", paramLabel = "URL",
            description = "Comma-separated etcd endpoints. Default: " + StoreOptions.DEFAULT_ENDPOINT + ".")
    List<String> endpoints = new ArrayList<>();

    @Option(names = "--etcd-prefix", defaultValue = StoreOptions.DEFAULT_PREFIX, paramLabel = "PREFIX",
            description = "etcd key prefix. Default: ${DEFAULT-VALUE}.")
    String prefix;

    @Option(names = "--etcd-cafile", paramLabel = "FILE", description = "CA certificate to verify etcd with (TLS).")
    Path caFile;

    @Option(names = "--etcd-certfile", paramLabel = "FILE", description = "Client certificate for etcd (TLS).")
    Path certFile;

    @Option(names = "--etcd-keyfile", paramLabel = "FILE", description = "Client key for etcd (TLS).")
    Path keyFile;

    @Option(names = "--etcd-username", paramLabel = "USER", description = "etcd user name.")
    String username;

    @Option(names = "--etcd-password", paramLabel = "PASSWORD",
            description = "etcd password. Anyone on the host can read a flag in the process list: prefer"
                    + " --etcd-password-file or WEFT_ETCD_PASSWORD.")
    String password;

    @Option(names = "--etcd-password-file", paramLabel = "FILE",
            description = "Read the etcd password from FILE (a trailing newline is ignored), so it is not in the"
                    + " process list.")
    Path passwordFile;

    @Option(names = "--net-config-path", paramLabel = "FILE",
            description = "With --store memory: read the network config from this JSON file.")
    Path netConfigPath;

    /** Opens the store these flags name, from the context's store providers; the caller closes it. */
    Store open(WeftCli.Context context) {
        return context.stores().get(store).create(toOptions());
    }

    StoreOptions toOptions() {
        List<String> eps = endpoints.isEmpty() ? List.of(StoreOptions.DEFAULT_ENDPOINT) : endpoints;
        return new StoreOptions(prefix, eps, caFile, certFile, keyFile, username, password(), netConfigPath,
                StoreOptions.DEFAULT_TIMEOUT);
    }

    /** {@code --etcd-password} (or {@code WEFT_ETCD_PASSWORD}), else the contents of {@code --etcd-password-file}. */
    private String password() {
        if (passwordFile == null) {
            return password;
        }
        if (password != null) {
            throw new ParameterException(mixee.commandLine(), "--etcd-password and --etcd-password-file are both given"
                    + " (on the command line or as WEFT_ETCD_PASSWORD and WEFT_ETCD_PASSWORD_FILE): give one");
        }
        String text;
        try {
            text = new String(Files.readAllBytes(passwordFile), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new WeftException("etcd-password-file " + passwordFile + " does not exist: give the path of a file"
                    + " holding the etcd password", e);
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
            throw new WeftException("etcd-password-file " + passwordFile + " cannot be read (" + why
                    + "): give a file this user can read, holding the etcd password", e);
        }
        text = text.replaceFirst("[\r\n]+$", "");
        if (text.isEmpty()) {
            throw new WeftException("etcd-password-file " + passwordFile + " is empty: put the etcd password in it");
        }
        return text;
    }
}
