package org.npyconv.converter.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.npyconv.indexer.IndexCheck;
import org.npyconv.indexer.Indexer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code npyconv index FILE}: one pass over the pickle writes FILE.npyidx. */
final class IndexCommand implements Callable<Integer> {
    private Path file;
    private Path index;
    private boolean force;
    private int checkpointEvery = Indexer.DEFAULT_CHECKPOINT_INTERVAL;
    private long inflateEvery = 1 << 20;
    private CommandSpec spec;

    /** The command line model of a new {@code index} command. */
    static CommandSpec spec() {
        IndexCommand c = new IndexCommand();
        c.spec = CommandModel.of(c, "index", "Write the sidecar offset index FILE.npyidx of an object .npy in one pass.")
                .positional(PositionalParamSpec.builder().index("0").paramLabel("FILE").description("The object .npy file."),
                        Path.class, () -> c.file, v -> c.file = v)
                .option(OptionSpec.builder("--index").paramLabel("P").description("Where the index goes (default: FILE.npyidx)."),
                        Path.class, () -> c.index, v -> c.index = v)
                .option(OptionSpec.builder("--force").description("Rebuild even if the index is up to date."),
                        boolean.class, () -> c.force, v -> c.force = v)
                .option(OptionSpec.builder("--checkpoint-every").paramLabel("N")
                                .description("Elements between checkpoints (default: ${DEFAULT-VALUE})."),
                        int.class, () -> c.checkpointEvery, v -> c.checkpointEvery = v)
                .option(OptionSpec.builder("--inflate-checkpoint-every").paramLabel("BYTES")
                                .description("For an .npz: uncompressed bytes between deflate checkpoints (default: ${DEFAULT-VALUE})."),
                        long.class, () -> c.inflateEvery, v -> c.inflateEvery = v)
                .spec();
        return c.spec;
    }

    @Override
    public Integer call() throws Exception {
        if (checkpointEvery < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--checkpoint-every must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (inflateEvery < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--inflate-checkpoint-every must be at least 1");
        }
        if (NpzCommands.isArchive(file)) {
            return NpzCommands.index(file, index, force, checkpointEvery, inflateEvery, out, spec.commandLine().getErr());
        }
        if (RawArrayAccess.holdsRawItems(file)) {
            out.println(RawArrayAccess.noIndexNeeded(file));
            return NpyconvCommand.EXIT_OK;
        }
        Path target = index != null ? index : Indexer.sidecarPath(file);
        if (!force) {
            IndexCheck.Verdict verdict = IndexCheck.quick(file, target);
            if (verdict.usable()) {
                out.println("index is up to date: " + target + " (--force rebuilds it)");
                return NpyconvCommand.EXIT_OK;
            }
        }
        ProgressBar bar = ProgressBar.forTerminal(spec.commandLine().getErr());
        Indexer.Result r;
        try {
            r = Indexer.build(file, target, checkpointEvery, (done, total, elements) -> bar.update(done, total, "elements " + elements));
        } finally {
            bar.done();
        }
        // Concatenated, not printf: java.util.Formatter's number conversions load locale data (Sizes).
        out.println("indexed " + r.elements() + " elements of " + file + " in " + Sizes.seconds(r.nanos()) + " ("
                + Sizes.rate(r.fileBytes(), r.nanos()) + "), index " + Sizes.human(r.indexBytes()) + ": " + r.index());
        return NpyconvCommand.EXIT_OK;
    }
}
