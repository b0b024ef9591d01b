package io.weft.cli;

/** The {@code weft} executable. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || !"daemon".equals(args[0])) {
            // Admin commands print results, not the stores' lifecycle logs; set before any logger exists.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(WeftCli.forProduction().execute(args));
    }
}
