package io.weft.cli;

import java.io.PrintWriter;

/** The {@code weft} executable. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || !"daemon".equals(args[0])) {
            // Admin commands print results, not the stores' lifecycle logs; set before any logger exists.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (args.length == 1 && "cni".equals(args[0])) {
            // A container runtime starts `weft cni` for every ADD and DEL: it needs none of the command tree,
            // whose construction (picocli reflecting over every command) is about half of its start-up.
            System.exit(CniCommand.runPlugin(System.getenv(), System.in, new PrintWriter(System.out)));
        }
        System.exit(WeftCli.forProduction().execute(args));
    }
}
