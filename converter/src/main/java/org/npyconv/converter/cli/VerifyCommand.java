package org.npyconv.converter.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.npyconv.formats.StaleIndexException;
import org.npyconv.indexer.ArchiveIndexCheck;
import org.npyconv.indexer.IndexCheck;
import org.npyconv.indexer.Indexer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code npyconv verify FILE}: checks the index against every byte of the file. For an {@code .npz}
 * the archive index is checked against every member (docs/npz.md, "Verifying the sidecar").
 */
final class VerifyCommand implements Callable<Integer> {
    private Path file;
    private Path index;
    private CommandSpec spec;

    /** The command line model of a new {@code verify} command. */
    static CommandSpec spec() {
        VerifyCommand c = new VerifyCommand();
        c.spec = CommandModel.of(c, "verify", "Check FILE.npyidx against FILE (sections, size, time and checksums of every byte; "
                        + "for an .npz every member and every deflate checkpoint).")
                .positional(PositionalParamSpec.builder().index("0").paramLabel("FILE").description("The indexed .npy or .npz file."),
                        Path.class, () -> c.file, v -> c.file = v)
                .option(OptionSpec.builder("--index").paramLabel("P").description("The index to check (default: FILE.npyidx)."),
                        Path.class, () -> c.index, v -> c.index = v)
                .spec();
        return c.spec;
    }

    @Override
    public Integer call() throws Exception {
        Path target = index != null ? index : Indexer.sidecarPath(file);
        // an .npz (recognised by its bytes) has one archive index for all its members
        IndexCheck.Verdict verdict = NpzCommands.isArchive(file) ? ArchiveIndexCheck.full(file, target)
                : IndexCheck.full(file, target);
        switch (verdict.status()) {
            case CURRENT:
                spec.commandLine().getOut().println("ok: " + target + " matches " + file);
                return NpyconvCommand.EXIT_OK;
            case MISSING:
                throw new StaleIndexException("no index: run 'npyconv index " + file + "'", target);
            case DAMAGED:
                throw new StaleIndexException("index is damaged: " + verdict.reason(), target);
            default:
                throw new StaleIndexException("index is stale: " + verdict.reason(), target);
        }
    }
}
