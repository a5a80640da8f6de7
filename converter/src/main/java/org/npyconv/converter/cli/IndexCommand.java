package org.npyconv.converter.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.npyconv.indexer.IndexCheck;
import org.npyconv.indexer.Indexer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code npyconv index FILE}: one pass over the pickle writes FILE.npyidx. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "Write the sidecar offset index FILE.npyidx of an object .npy in one pass.")
final class IndexCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The object .npy file.")
    Path file;

    @Option(names = "--index", paramLabel = "P", description = "Where the index goes (default: FILE.npyidx).")
    Path index;

    @Option(names = "--force", description = "Rebuild even if the index is up to date.")
    boolean force;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "" + Indexer.DEFAULT_CHECKPOINT_INTERVAL,
            description = "Elements between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--inflate-checkpoint-every", paramLabel = "BYTES", defaultValue = "1048576",
            description = "For an .npz: uncompressed bytes between deflate checkpoints (default: ${DEFAULT-VALUE}).")
    long inflateEvery;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

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
        out.printf("indexed %d elements of %s in %s (%s), index %s: %s%n", r.elements(), file, Sizes.seconds(r.nanos()),
                Sizes.rate(r.fileBytes(), r.nanos()), Sizes.human(r.indexBytes()), r.index());
        return NpyconvCommand.EXIT_OK;
    }
}
