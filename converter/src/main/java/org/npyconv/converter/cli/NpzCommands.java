package org.npyconv.converter.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import org.npyconv.converter.output.RawConversion;
import org.npyconv.indexer.NpyRawArray;
import java.nio.channels.FileChannel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.npyconv.converter.arrow.TypeText;
import org.npyconv.converter.output.ChunkedOutput;
import org.npyconv.converter.output.ConversionSummary;
import org.npyconv.converter.output.ConvertOptions;
import org.npyconv.converter.output.OutputFormat;
import org.npyconv.converter.output.RecycledBlocks;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.ReplacingFile;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.npz.ZipMember;
import org.npyconv.indexer.Indexer;
import org.npyconv.indexer.NpyObjectArray;
import org.npyconv.indexer.NpzArchive;
import org.npyconv.indexer.NpzIndexer;

/**
 * The {@code .npz} side of {@code info}, {@code get}, {@code export}, {@code index} and
 * {@code convert} (docs/npz.md). Each command detects an archive by its first bytes and hands over
 * here, so the {@code .npy} command classes stay as they are.
 */
final class NpzCommands {
    private NpzCommands() {}

    /** Whether {@code file} is a zip archive (by its magic, whatever its name). */
    static boolean isArchive(Path file) throws IOException {
        return Files.isRegularFile(file) && NpzArchive.isArchive(file);
    }

    static NpzArchive.Options options(Path index, PrintWriter err) {
        return NpzArchive.Options.defaults().withIndex(index).withNotices(m -> err.println("npyconv: " + m));
    }

    // ---- info ----------------------------------------------------------------------------------

    static int info(Path file, Path index, boolean json, PrintWriter out) throws IOException {
        try (NpzArchive npz = NpzArchive.open(file, NpzArchive.Options.defaults().withIndex(index))) {
            List<NpzArchive.Member> members = npz.members();
            Path indexPath = npz.indexPath();
            String status = indexStatus(npz);
            if (json) {
                try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    g.writeStartObject();
                    g.writeStringField("file", file.toString());
                    g.writeStringField("format", "npz");
                    g.writeArrayFieldStart("members");
                    for (NpzArchive.Member m : members) {
                        writeMember(g, m);
                    }
                    g.writeEndArray();
                    g.writeObjectFieldStart("index");
                    g.writeStringField("path", indexPath.toString());
                    g.writeStringField("status", status);
                    g.writeEndObject();
                    g.writeEndObject();
                }
                out.println();
            } else {
                out.printf(Locale.ROOT, "file:           %s%n", file);
                out.printf(Locale.ROOT, "format:         .npz (zip archive, %d member%s)%n", members.size(), members.size() == 1 ? "" : "s");
                out.printf(Locale.ROOT, "index:          %s (%s)%n", indexPath, status);
                out.printf(Locale.ROOT, "%-16s %-8s %-14s %-9s %14s %14s%n", "member", "descr", "shape", "storage", "size", "compressed");
                for (NpzArchive.Member m : members) {
                    NpyHeader h = m.header();
                    out.printf(Locale.ROOT, "%-16s %-8s %-14s %-9s %14d %14d%s%n", m.key(),
                            h == null ? "-" : InfoCommand.describeDescr(h.descr()),
                            h == null ? "-" : InfoCommand.pythonShape(h.shape()), storage(m.zip()),
                            m.zip().uncompressedSize(), m.zip().compressedSize(),
                            h == null ? "  (not a .npy)" : h.isObject() ? "  object" : "");
                }
            }
            out.flush();
        }
        return NpyconvCommand.EXIT_OK;
    }

    private static void writeMember(JsonGenerator g, NpzArchive.Member m) throws IOException {
        ZipMember z = m.zip();
        NpyHeader h = m.header();
        g.writeStartObject();
        g.writeStringField("name", m.key());
        g.writeStringField("file", z.name());
        g.writeStringField("storage", storage(z));
        g.writeNumberField("size", z.uncompressedSize());
        g.writeNumberField("compressed_size", z.compressedSize());
        g.writeNumberField("zip_data_offset", z.dataOffset());
        if (h != null) {
            g.writeStringField("version", h.versionString());
            g.writeFieldName("descr");
            InfoCommand.writeDescr(g, h.descr());
            g.writeArrayFieldStart("shape");
            for (long dim : h.shape()) {
                g.writeNumber(dim);
            }
            g.writeEndArray();
            g.writeBooleanField("fortran_order", h.fortranOrder());
            g.writeNumberField("count", h.count());
            g.writeNumberField("data_offset", h.dataOffset());
            g.writeBooleanField("object", h.isObject());
        } else {
            g.writeBooleanField("npy", false);
        }
        g.writeEndObject();
    }

    private static String storage(ZipMember z) {
        return z.isStored() ? "stored" : "deflated";
    }

    private static String indexStatus(NpzArchive npz) throws IOException {
        String problem = npz.indexProblem();
        return problem == null ? "current" : problem;
    }

    // ---- get / export --------------------------------------------------------------------------

    static int get(Path file, List<String> args, Path index, boolean json, PrintWriter out, PrintWriter err) throws IOException {
        try (NpzArchive npz = NpzArchive.open(file, options(index, err))) {
            if (args.size() < 2) {
                throw noMember(npz, "get FILE MEMBER I [I ...]");
            }
            get(npz, args, json, out);
        }
        return NpyconvCommand.EXIT_OK;
    }

    private static void get(NpzArchive npz, List<String> args, boolean json, PrintWriter out) throws IOException {
        NpzArchive.Member m = npz.member(args.get(0));
        if (m.header() != null && !m.isObject()) {
            // reads at random: through deflate checkpoints (the sidecar is built first if needed)
            try (FileChannel member = npz.randomAccessChannel(m);
                 NpyRawArray raw = NpyRawArray.of(member, m.header(), memberPath(npz, m))) {
                RawArrayAccess.get(raw, args.subList(1, args.size()), json, out);
            }
            return;
        }
        try (NpyObjectArray array = npz.objectArray(args.get(0))) {
            List<String> rendered = new ArrayList<>();
            for (String p : args.subList(1, args.size())) {
                long at = GetCommand.flatPosition(p, array.shape(), array.size());
                Object value = array.get(at);
                try {
                    rendered.add(json ? ElementText.json(value) : ElementText.repr(value));
                } catch (NpyconvException e) {
                    throw ElementText.located(e, array, at);
                }
            }
            rendered.forEach(out::println);
        }
    }

    /** The error for an archive given without a member: it says it is an archive and lists members. */
    private static NpyconvException noMember(NpzArchive npz, String usage) {
        StringBuilder names = new StringBuilder();
        for (ZipMember m : npz.directory().members()) {
            names.append(names.length() == 0 ? "" : ", ").append(m.key());
            if (names.length() > 200) {
                names.append(", ...");
                break;
            }
        }
        return new NpyconvException(npz.file() + " is a zip archive (.npz) of members " + (names.length() == 0
                ? "(none)" : names) + ": name one, as in " + usage);
    }

    /** Streams member {@code member}'s elements to {@code sink} (the export command owns the output's atomicity). */
    static void export(Path file, String member, Path index, PrintWriter err, ExportSink sink) throws IOException {
        try (NpzArchive npz = NpzArchive.open(file, options(index, err))) {
            if (member == null) {
                throw noMember(npz, "export FILE MEMBER [-o P]");
            }
            NpzArchive.Member m = npz.member(member);
            if (m.header() != null && !m.isObject()) {
                try (FileChannel channel = npz.channel(m);
                     NpyRawArray raw = NpyRawArray.of(channel, m.header(), memberPath(npz, m))) {
                    sink.writeRaw(raw);
                }
                return;
            }
            try (NpyObjectArray array = npz.objectArray(member)) {
                sink.write(array);
            }
        }
    }

    /** Where {@link #export} sends an opened member. */
    interface ExportSink {
        void write(NpyObjectArray array) throws IOException;

        void writeRaw(NpyRawArray array) throws IOException;
    }

    /** How a member is named in messages: {@code data.npz!arr_0.npy}. */
    private static Path memberPath(NpzArchive npz, NpzArchive.Member m) {
        return Path.of(npz.file() + "!" + m.zip().name());
    }

    // ---- index ---------------------------------------------------------------------------------

    static int index(Path file, Path index, boolean force, int checkpointEvery, long inflateEvery, PrintWriter out,
            PrintWriter err) throws IOException {
        Path target = index != null ? index : Indexer.sidecarPath(file);
        if (!force) {
            try (NpzArchive npz = NpzArchive.open(file, NpzArchive.Options.defaults().withIndex(target))) {
                if (npz.indexProblem() == null) {
                    out.println("index is up to date: " + target + " (--force rebuilds it)");
                    return NpyconvCommand.EXIT_OK;
                }
            }
        }
        ProgressBar bar = ProgressBar.forTerminal(err);
        NpzIndexer.Result r;
        try {
            r = NpzIndexer.build(file, target, checkpointEvery, inflateEvery,
                    (done, total, elements) -> bar.update(done, total, "elements " + elements));
        } finally {
            bar.done();
        }
        out.printf(Locale.ROOT, "indexed %d object member%s (%d elements) and %d deflated member%s (%d checkpoints) of %s in %s"
                        + " (%s), index %s: %s%n", r.objectMembers(), r.objectMembers() == 1 ? "" : "s", r.elements(),
                r.deflatedMembers(), r.deflatedMembers() == 1 ? "" : "s", r.checkpoints(), file, Sizes.seconds(r.nanos()),
                Sizes.rate(r.archiveBytes(), r.nanos()), Sizes.human(r.indexBytes()), r.index());
        return NpyconvCommand.EXIT_OK;
    }

    // ---- convert -------------------------------------------------------------------------------

    /**
     * One output per member in directory {@code outDir}: {@code KEY.parquet} (or {@code .arrow}).
     * Each output is staged under a temporary name beside its target ({@link ReplacingFile#createTemp})
     * and all are renamed into place only when every member has converted, so a failure leaves no
     * partial output; SIGTERM/SIGINT midway deletes the staged ones too (the shutdown hook deletes
     * every pending temporary), and a SIGKILLed run's are swept by the next run writing the member.
     */
    static int convert(Path file, Path outDir, OutputFormat format, Path index, ConvertOptions base,
            PrintWriter out, PrintWriter err, Consumer<String> skipped) throws IOException {
        String extension = format == OutputFormat.ARROW ? ".arrow" : ".parquet";
        List<String> lines = new ArrayList<>();
        List<Path[]> moves = new ArrayList<>();
        boolean done = false;
        boolean created = !Files.isDirectory(outDir);
        try (NpzArchive npz = NpzArchive.open(file, options(index, err));
             RecycledBlocks blocks = new RecycledBlocks(RecycledBlocks.FOR_CONVERSION);
             BufferAllocator allocator = blocks.newRootAllocator()) {
            if (OutputFormat.ofExtension(outDir) != null && !Files.isDirectory(outDir)) {
                throw new NpyconvException(file + " is a zip archive (.npz): convert writes one file per member, so "
                        + "--output must name a directory, not " + outDir);
            }
            Files.createDirectories(outDir);
            for (NpzArchive.Member m : npz.members()) {
                if (m.header() == null) {
                    skipped.accept("skipped member " + m.key() + ": not a .npy file");
                    continue;
                }
                Path target = outDir.resolve(m.key() + extension);
                Path staged = ReplacingFile.createTemp(target, "");
                moves.add(new Path[] {staged, target});
                ConversionSummary s;
                if (m.isObject()) {
                    try (NpyObjectArray array = npz.objectArray(m.key())) {
                        s = ChunkedOutput.convert(array, staged, base, allocator);
                    }
                } else {
                    // numeric, structured and string members: one column per field (docs/numeric.md)
                    try (FileChannel channel = npz.channel(m);
                         NpyRawArray raw = NpyRawArray.of(channel, m.header(), memberPath(npz, m))) {
                        s = RawConversion.convert(raw, staged, base, allocator);
                    }
                }
                lines.add(String.format(Locale.ROOT, "converted member %s: %d rows as %s in %d %s (%s): %s",
                        m.key(), s.rows(), s.json() ? "JSON text" : TypeText.of(s.column()), s.chunks(),
                        ConvertCommand.chunkWord(format, s.chunks()), Sizes.human(s.bytes()), target));
            }
            for (Path[] move : moves) {
                ReplacingFile.moveIntoPlace(move[0], move[1], base.durability());
            }
            done = true;
        } finally {
            if (!done) {
                for (Path[] move : moves) {
                    ReplacingFile.discard(move[0]);
                }
            }
            if (!done && created && Files.isDirectory(outDir)) {
                try (Stream<Path> left = Files.list(outDir)) {
                    if (left.findAny().isEmpty()) {
                        Files.delete(outDir);
                    }
                }
            }
        }
        lines.forEach(out::println);
        out.printf(Locale.ROOT, "converted %d member%s of %s into %s%n", moves.size(), moves.size() == 1 ? "" : "s",
                file, outDir);
        return NpyconvCommand.EXIT_OK;
    }
}
