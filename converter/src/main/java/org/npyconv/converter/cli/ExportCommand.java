package org.npyconv.converter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.npyconv.formats.Durability;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.element.JsonBytes;
import org.npyconv.formats.ReplacingFile;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.concurrent.Callable;
import org.npyconv.indexer.NpyObjectArray;
import org.npyconv.indexer.NpyRawArray;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code npyconv export FILE}: every element as JSON Lines, in flat C order, streaming. */
final class ExportCommand implements Callable<Integer> {
    private Path file;
    private String member;
    private Path output;
    private Path index;
    private boolean fsync;
    private CommandSpec spec;

    /** The command line model of a new {@code export} command. */
    static CommandSpec spec() {
        ExportCommand c = new ExportCommand();
        c.spec = CommandModel.of(c, "export", "Write every element of a .npy as JSON Lines (one element per line, flat C order).")
                .positional(PositionalParamSpec.builder().index("0").paramLabel("FILE").description("The object .npy file."),
                        Path.class, () -> c.file, v -> c.file = v)
                .positional(PositionalParamSpec.builder().index("1").arity("0..1").paramLabel("MEMBER")
                                .description("For an .npz: the member (arr_0, or its keyword)."),
                        String.class, () -> c.member, v -> c.member = v)
                .option(OptionSpec.builder("-o", "--output").paramLabel("P").description("Output file (default: standard output). "
                                + "Written under a temporary name and renamed when complete."),
                        Path.class, () -> c.output, v -> c.output = v)
                .option(OptionSpec.builder("--index").paramLabel("P").description("The sidecar index (default: FILE.npyidx)."),
                        Path.class, () -> c.index, v -> c.index = v)
                .option(OptionSpec.builder("--fsync").description("With --output: force the file to the disk before renaming it into place, "
                                + "and the rename after (survives a power loss; slower)."),
                        boolean.class, () -> c.fsync, v -> c.fsync = v)
                .spec();
        return c.spec;
    }

    @Override
    public Integer call() throws Exception {
        if (output != null) {
            ReplacingFile.requireDistinct(file, output, "output");
        }
        if (NpzCommands.isArchive(file)) {
            NpzCommands.export(file, member, index, spec.commandLine().getErr(), new NpzCommands.ExportSink() {
                @Override
                public void write(NpyObjectArray array) throws IOException {
                    ExportCommand.this.write(array);
                }

                @Override
                public void writeRaw(NpyRawArray array) throws IOException {
                    emit(out -> RawArrayAccess.export(array, out));
                }
            });
            return NpyconvCommand.EXIT_OK;
        }
        if (member != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "MEMBER is only for .npz archives");
        }
        if (RawArrayAccess.holdsRawItems(file)) {
            emit(out -> RawArrayAccess.export(file, out)); // numeric/structured/string: no sidecar
            return NpyconvCommand.EXIT_OK;
        }
        NpyObjectArray.Options options = NpyObjectArray.Options.defaults()
                .withIndex(index)
                .withNotices(message -> spec.commandLine().getErr().println("npyconv: " + message));
        try (NpyObjectArray array = NpyObjectArray.open(file, options)) {
            write(array);
        }
        return NpyconvCommand.EXIT_OK;
    }

    /** One object array's JSON Lines, to standard output or {@code -o} (also each .npz member's). */
    private void write(NpyObjectArray array) throws IOException {
        emit(out -> writeAll(array, out));
    }

    /** What writes the JSON Lines. */
    private interface Body {
        void writeTo(JsonBytes out) throws IOException;
    }

    /** Bytes of JSON Lines buffered between writes to the output. */
    static final int OUTPUT_BUFFER = 1 << 17;

    /** To standard output, or to {@code -o} through a temporary file renamed when complete. */
    private void emit(Body body) throws IOException {
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            // The process's stdout takes the bytes as they are; a writer a test passes in gets text
            // (JsonBytes drains whole characters only, so each drain decodes on its own).
            PrintStream bytes = out instanceof StandardOutput ? ((StandardOutput) out).bytes() : null;
            JsonBytes sink = new JsonBytes(bytes != null ? (b, off, len) -> {
                bytes.write(b, off, len);
                if (bytes.checkError()) {
                    throw new OutputClosedException(); // a closed pipe: stop rendering
                }
            } : (b, off, len) -> out.write(new String(b, off, len, StandardCharsets.UTF_8)), OUTPUT_BUFFER);
            try {
                body.writeTo(sink);
            } finally {
                // Also after a failure: what was written before it is on stdout, as it always was.
                sink.flush();
                if (bytes != null) {
                    bytes.flush();
                }
                out.flush();
            }
        } else {
            writeAtomically(body);
        }
    }

    private Durability durability() {
        return fsync ? Durability.FSYNC : Durability.RENAME;
    }

    private void writeAtomically(Body body) throws IOException {
        Path target = output.toAbsolutePath();
        Path temp = ReplacingFile.createTemp(target, "");
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                JsonBytes out = new JsonBytes((b, off, len) -> writeFully(channel, ByteBuffer.wrap(b, off, len)), OUTPUT_BUFFER);
                body.writeTo(out);
                out.flush();
                durability().force(channel);
            }
            ReplacingFile.moveIntoPlace(temp, target, durability());
            done = true;
        } finally {
            if (!done) {
                ReplacingFile.discard(temp);
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private static void writeAll(NpyObjectArray array, JsonBytes out) throws IOException {
        Iterator<Object> it = array.iterator();
        for (long i = 0; it.hasNext(); i++) {
            Object element = it.next();
            try {
                ElementText.writeJson(element, out);
            } catch (NpyconvException e) {
                throw ElementText.located(e, array, i);
            }
            out.append('\n');
        }
    }
}
