package io.weft.cli;

import picocli.CommandLine.Option;

/** The {@code -o/--output} flag of the commands that print a table or JSON. */
final class OutputFormatMixin {
    /** The output formats. */
    enum Format { table, json }

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table or json. Default: ${DEFAULT-VALUE}.")
    Format format;

    boolean json() {
        return format == Format.json;
    }
}
