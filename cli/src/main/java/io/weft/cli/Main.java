package io.weft.cli;

/** The {@code weft} executable. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(WeftCli.forProduction().execute(args));
    }
}
