package org.npyconv.converter.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.converter.arrow.TypeText;
import org.npyconv.converter.output.ChunkedOutput;
import org.npyconv.converter.output.Compression;
import org.npyconv.converter.output.ConversionSummary;
import org.npyconv.converter.output.ConvertOptions;
import org.npyconv.converter.output.DatasetOutput;
import org.npyconv.converter.output.OutputFile;
import org.npyconv.converter.output.OutputTarget;
import org.npyconv.converter.output.OutputFormat;
import org.npyconv.converter.output.RecycledBlocks;
import org.npyconv.formats.Durability;
import org.npyconv.formats.ReplacingFile;
import org.npyconv.indexer.NpyObjectArray;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code npyconv convert IN --output OUT}: a .npy to a chunked Arrow IPC or Parquet file, or with
 * {@code --output DIR/} to a dataset of part files (docs/converter.md).
 */
final class ConvertCommand implements Callable<Integer> {
    private Path file;
    private String outputText;
    private String format;
    private Long rowsPerFile;
    private int rowsPerChunk = ConvertOptions.DEFAULT_ROWS_PER_CHUNK;
    private String compression = "zstd";
    private String onMixed = "error";
    private Integer threads;
    private Path index;
    private boolean fsync;
    private CommandSpec spec;

    /** The command line model of a new {@code convert} command. */
    static CommandSpec spec() {
        ConvertCommand c = new ConvertCommand();
        c.spec = CommandModel.of(c, "convert",
                        "Convert a .npy into a chunked Arrow IPC file or Parquet file with one column 'value' "
                                + "(flat C order), typed as pyarrow would type it.",
                        "With --output DIR/ (a trailing slash or an existing directory) it writes a dataset: "
                                + "DIR/part-00000.parquet, part-00001.parquet, ... of --rows-per-file rows each (all rows in part-00000 "
                                + "without it), then DIR/_SUCCESS. Earlier parts in DIR are replaced; a failed run leaves the previous "
                                + "dataset as it was.")
                .positional(PositionalParamSpec.builder().index("0").paramLabel("IN")
                                .description("The .npy file (object arrays use the sidecar index; other arrays need none)."),
                        Path.class, () -> c.file, v -> c.file = v)
                .option(OptionSpec.builder("-o", "--output").required(true).paramLabel("OUT")
                                .description("Output file (.parquet, .arrow or .feather), or a dataset directory DIR/. "
                                        + "Written under temporary names and renamed when complete."),
                        String.class, () -> c.outputText, v -> c.outputText = v)
                .option(OptionSpec.builder("--format").paramLabel("F")
                                .description("parquet or arrow (default: from OUT's extension; for a directory from its extension, else parquet)."),
                        String.class, () -> c.format, v -> c.format = v)
                .option(OptionSpec.builder("--rows-per-file").paramLabel("N")
                                .description("Rows per part file of a dataset (--output DIR/ only; default: all rows in one part)."),
                        Long.class, () -> c.rowsPerFile, v -> c.rowsPerFile = v)
                .option(OptionSpec.builder("--rows-per-chunk").paramLabel("N")
                                .description("Rows per record batch / row group (default: ${DEFAULT-VALUE})."),
                        int.class, () -> c.rowsPerChunk, v -> c.rowsPerChunk = v)
                .option(OptionSpec.builder("--compression").paramLabel("C")
                                .description("zstd (default), snappy, lz4 or none; Arrow IPC takes zstd or none."),
                        String.class, () -> c.compression, v -> c.compression = v)
                .option(OptionSpec.builder("--on-mixed").paramLabel("M")
                                .description("error (default): fail on a column with no common type; json: write each element's JSON text; "
                                        + "pickle: write each element as a standalone pickle (binary)."),
                        String.class, () -> c.onMixed, v -> c.onMixed = v)
                .option(OptionSpec.builder("--threads").paramLabel("N")
                                .description("Threads converting chunks in parallel (default: available processors, at most 4). "
                                        + "The output is the same for any N."),
                        Integer.class, () -> c.threads, v -> c.threads = v)
                .option(OptionSpec.builder("--index").paramLabel("P").description("The sidecar index (default: IN.npyidx)."),
                        Path.class, () -> c.index, v -> c.index = v)
                .option(OptionSpec.builder("--fsync").description("Force the output to the disk before renaming it into place, and the rename "
                                + "after (survives a power loss; slower). Without it the output is still never left partial."),
                        boolean.class, () -> c.fsync, v -> c.fsync = v)
                .spec();
        return c.spec;
    }

    /** The output path; for a dataset, its directory. */
    private Path output;

    @Override
    public Integer call() throws Exception {
        output = Path.of(outputText);
        boolean archive = NpzCommands.isArchive(file);
        boolean dataset = !archive && isDirectory(outputText, output);
        if (archive && rowsPerFile != null) {
            throw new ParameterException(spec.commandLine(), "--rows-per-file is for one array; an .npz archive converts to one file per member");
        }
        if (!dataset && rowsPerFile != null) {
            throw new ParameterException(spec.commandLine(), "--rows-per-file needs a dataset directory: --output DIR/ (with a trailing slash)");
        }
        if (rowsPerFile != null && rowsPerFile < 1) {
            throw new ParameterException(spec.commandLine(), "--rows-per-file must be at least 1");
        }
        OutputFormat fmt = format != null ? parse(OutputFormat.class, format, "--format")
                : archive ? OutputFormat.PARQUET : OutputFormat.ofExtension(output);
        if (fmt == null && dataset) {
            // Part files carry the extension; a directory's own name rarely does.
            fmt = OutputFormat.PARQUET;
        }
        if (fmt == null) {
            throw new ParameterException(spec.commandLine(), "cannot tell the format from " + output
                    + "'s extension: use --format parquet|arrow");
        }
        if (rowsPerChunk < 1) {
            throw new ParameterException(spec.commandLine(), "--rows-per-chunk must be at least 1");
        }
        if (threads != null && threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1");
        }
        Compression c = parse(Compression.class, compression, "--compression");
        OnMixed mixed = parse(OnMixed.class, onMixed, "--on-mixed");
        if (fmt == OutputFormat.ARROW && c != Compression.ZSTD && c != Compression.NONE) {
            throw new ParameterException(spec.commandLine(), "Arrow IPC output takes --compression zstd or none"
                    + (c == Compression.LZ4 ? " (Arrow Java's LZ4 frame writer is far too slow)" : ""));
        }
        // The same options for every kind of input (raw arrays and .npz members ignore --on-mixed).
        ConvertOptions base = ConvertOptions.of(fmt).withRowsPerChunk(rowsPerChunk).withCompression(c).withOnMixed(mixed)
                .withThreads(threads != null ? threads : ConvertOptions.defaultThreads())
                .withVersion(NpyconvCommand.Version.version())
                .withDurability(fsync ? Durability.FSYNC : Durability.RENAME);
        PrintWriter out = spec.commandLine().getOut();
        ReplacingFile.requireDistinct(file, output, "output");
        if (archive) {
            PrintWriter err = spec.commandLine().getErr();
            return NpzCommands.convert(file, output, fmt, index, base, out, err, m -> err.println("npyconv: " + m));
        }
        OutputTarget target = dataset
                ? new DatasetOutput(output, rowsPerFile != null ? rowsPerFile : DatasetOutput.ONE_PART)
                : new OutputFile(output);
        ProgressBar bar = ProgressBar.forTerminal(spec.commandLine().getErr());
        if (RawArrayAccess.holdsRawItems(file)) {
            // numeric, structured and string arrays: no sidecar, one column per field (docs/numeric.md)
            report(RawArrayAccess.convert(file, target, base, bar), fmt, target, Files.size(file));
            return NpyconvCommand.EXIT_OK;
        }
        NpyObjectArray.Options options = NpyObjectArray.Options.defaults()
                .withIndex(index)
                .withNotices(message -> spec.commandLine().getErr().println("npyconv: " + message));
        ConversionSummary s;
        long inputBytes = Files.size(file);
        try (NpyObjectArray array = NpyObjectArray.open(file, options);
             RecycledBlocks blocks = new RecycledBlocks(RecycledBlocks.FOR_CONVERSION);
             BufferAllocator allocator = blocks.newRootAllocator()) {
            long total = array.size();
            s = ChunkedOutput.convert(array, target, base.withProgress(done -> bar.update(done, total, "rows")), allocator);
        } finally {
            bar.done();
        }
        report(s, fmt, target, inputBytes);
        return NpyconvCommand.EXIT_OK;
    }

    /** A dataset is asked for by a trailing separator (the directory need not exist yet) or an existing directory. */
    private static boolean isDirectory(String text, Path path) {
        return text.endsWith("/") || text.endsWith(java.io.File.separator) || Files.isDirectory(path);
    }

    /** The summary line on standard output. */
    private void report(ConversionSummary s, OutputFormat fmt, OutputTarget target, long inputBytes) {
        PrintWriter out = spec.commandLine().getOut();
        long nanos = (long) (s.seconds() * 1e9);
        // Concatenated, not printf: java.util.Formatter's number conversions load locale data (Sizes).
        out.println("converted " + s.rows() + " rows of " + file + " as " + describe(s) + " in " + s.chunks() + " "
                + chunkWord(fmt, s.chunks()) + " (" + Sizes.human(s.bytes()) + ", "
                + Sizes.seconds(nanos) + "): " + where(target, s.rows()) + "; " + Sizes.rate(inputBytes, nanos) + " of input");
    }

    /** "record batch(es)" or "row group(s)", as many as {@code chunks}. */
    static String chunkWord(OutputFormat fmt, long chunks) {
        String one = fmt == OutputFormat.ARROW ? "record batch" : "row group";
        return chunks == 1 ? one : fmt == OutputFormat.ARROW ? one + "es" : one + "s";
    }

    private static String where(OutputTarget target, long rows) {
        if (target instanceof DatasetOutput d) {
            long parts = d.partsFor(rows);
            return d.directory() + java.io.File.separator + " (" + parts + (parts == 1 ? " part" : " parts")
                    + (d.rowsPerFile() == DatasetOutput.ONE_PART ? "" : " of at most " + d.rowsPerFile() + " rows") + ")";
        }
        return target.path().toString();
    }

    private static String describe(ConversionSummary s) {
        if (s.json()) {
            return "JSON text";
        }
        java.util.Map<String, String> meta = s.column().getMetadata();
        return meta != null && "pickle".equals(meta.get("npyconv.encoding")) ? "standalone pickles" : TypeText.of(s.column());
    }

    private <E extends Enum<E>> E parse(Class<E> type, String text, String option) {
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "unknown " + option + " value '" + text + "'");
        }
    }
}
