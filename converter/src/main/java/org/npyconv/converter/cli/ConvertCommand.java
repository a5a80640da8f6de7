package org.npyconv.converter.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.converter.arrow.TypeText;
import org.npyconv.converter.output.ChunkedOutput;
import org.npyconv.converter.output.Compression;
import org.npyconv.converter.output.ConversionSummary;
import org.npyconv.converter.output.ConvertOptions;
import org.npyconv.converter.output.OutputFormat;
import org.npyconv.indexer.NpyObjectArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code npyconv convert IN --output OUT}: an object .npy to a chunked Arrow IPC or Parquet file (docs/converter.md). */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert an object .npy into a chunked Arrow IPC file or Parquet file with one column 'value' "
                + "(flat C order), typed as pyarrow would type it.")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "The object .npy file.")
    Path file;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Output file (.parquet, .arrow or .feather). Written under a temporary name and renamed when complete.")
    Path output;

    @Option(names = "--format", paramLabel = "F", description = "parquet or arrow (default: from OUT's extension).")
    String format;

    @Option(names = "--rows-per-chunk", paramLabel = "N", description = "Rows per record batch / row group (default: ${DEFAULT-VALUE}).")
    int rowsPerChunk = ConvertOptions.DEFAULT_ROWS_PER_CHUNK;

    @Option(names = "--compression", paramLabel = "C",
            description = "zstd (default), snappy, lz4 or none; Arrow IPC takes zstd or none.")
    String compression = "zstd";

    @Option(names = "--on-mixed", paramLabel = "M",
            description = "error (default): fail on a column with no common type; json: write each element's JSON text.")
    String onMixed = "error";

    @Option(names = "--index", paramLabel = "P", description = "The sidecar index (default: IN.npyidx).")
    Path index;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean archive = NpzCommands.isArchive(file);
        OutputFormat fmt = format != null ? parse(OutputFormat.class, format, "--format")
                : archive ? OutputFormat.PARQUET : OutputFormat.ofExtension(output);
        if (fmt == null) {
            throw new ParameterException(spec.commandLine(), "cannot tell the format from " + output
                    + "'s extension: use --format parquet|arrow");
        }
        if (rowsPerChunk < 1) {
            throw new ParameterException(spec.commandLine(), "--rows-per-chunk must be at least 1");
        }
        Compression c = parse(Compression.class, compression, "--compression");
        OnMixed mixed = parse(OnMixed.class, onMixed, "--on-mixed");
        if (fmt == OutputFormat.ARROW && c != Compression.ZSTD && c != Compression.NONE) {
            throw new ParameterException(spec.commandLine(), "Arrow IPC output takes --compression zstd or none"
                    + (c == Compression.LZ4 ? " (Arrow Java's LZ4 frame writer is far too slow)" : ""));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (archive) {
            PrintWriter err = spec.commandLine().getErr();
            ConvertOptions convert = ConvertOptions.of(fmt).withRowsPerChunk(rowsPerChunk).withCompression(c)
                    .withOnMixed(mixed).withVersion(NpyconvCommand.Version.version());
            return NpzCommands.convert(file, output, fmt, index, convert, out, err, m -> err.println("npyconv: " + m));
        }
        ProgressBar bar = ProgressBar.forTerminal(spec.commandLine().getErr());
        NpyObjectArray.Options options = NpyObjectArray.Options.defaults()
                .withIndex(index)
                .withNotices(message -> spec.commandLine().getErr().println("npyconv: " + message));
        ConversionSummary s;
        long inputBytes = Files.size(file);
        try (NpyObjectArray array = NpyObjectArray.open(file, options);
             BufferAllocator allocator = new RootAllocator()) {
            long total = array.size();
            ConvertOptions convert = ConvertOptions.of(fmt).withRowsPerChunk(rowsPerChunk).withCompression(c)
                    .withOnMixed(mixed).withVersion(NpyconvCommand.Version.version())
                    .withProgress(done -> bar.update(done, total, "rows"));
            s = ChunkedOutput.convert(array, output, convert, allocator);
        } finally {
            bar.done();
        }
        long nanos = (long) (s.seconds() * 1e9);
        out.printf(Locale.ROOT, "converted %d rows of %s as %s in %d %s (%s, %s): %s%s%n", s.rows(), file,
                (s.json() ? "JSON text" : TypeText.of(s.column())), s.chunks(),
                fmt == OutputFormat.ARROW ? "record batches" : "row groups", Sizes.human(s.bytes()), Sizes.seconds(nanos),
                output, "; " + Sizes.rate(inputBytes, nanos) + " of input");
        return NpyconvCommand.EXIT_OK;
    }

    private <E extends Enum<E>> E parse(Class<E> type, String text, String option) {
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "unknown " + option + " value '" + text + "'");
        }
    }
}
