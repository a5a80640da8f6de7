package org.npyconv.converter.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.pickle.PickleOpcode;
import org.npyconv.formats.pickle.PickleReader;
import org.npyconv.indexer.Indexer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code npyconv info FILE}: the header's facts and the pickle protocol, from the first bytes only. */
final class InfoCommand implements Callable<Integer> {
    /** How far {@code info} looks for the protocol of a pickle without a PROTO opcode; keeps it instant. */
    private static final long PROTOCOL_SCAN_LIMIT = 64 * 1024;

    private Path file;
    private boolean json;
    private Path index;
    private CommandSpec spec;

    /** The command line model of a new {@code info} command. */
    static CommandSpec spec() {
        InfoCommand c = new InfoCommand();
        c.spec = CommandModel.of(c, "info", "Show a .npy file's format version, dtype, shape, element count and pickle protocol.")
                .positional(PositionalParamSpec.builder().index("0").paramLabel("FILE").description("The .npy file."),
                        Path.class, () -> c.file, v -> c.file = v)
                .option(OptionSpec.builder("--json").description("Print one JSON object instead of text."),
                        boolean.class, () -> c.json, v -> c.json = v)
                .option(OptionSpec.builder("--index").paramLabel("P").description("The sidecar index to report on (default: FILE.npyidx)."),
                        Path.class, () -> c.index, v -> c.index = v)
                .spec();
        return c.spec;
    }

    @Override
    public Integer call() throws IOException {
        if (NpzCommands.isArchive(file)) {
            return NpzCommands.info(file, index, json, spec.commandLine().getOut());
        }
        NpyHeader header = NpyHeader.read(file);
        Integer protocol = header.isObject() ? pickleProtocol(header) : null;
        IndexReport report = header.isObject() ? IndexReport.of(file, index != null ? index : Indexer.sidecarPath(file)) : null;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            writeJson(out, header, protocol, report);
        } else {
            writeText(out, header, protocol);
            if (report != null) {
                report.writeText(out);
            }
        }
        out.flush();
        return NpyconvCommand.EXIT_OK;
    }

    /**
     * The PROTO opcode's argument; a pickle without one (protocols 0 and 1) gets the highest protocol
     * among its first opcodes, as {@code pickletools.dis} reports it.
     */
    private int pickleProtocol(NpyHeader header) throws IOException {
        try (PickleReader reader = PickleReader.open(file, header.dataOffset())) {
            PickleOpcode op = reader.next();
            if (op == PickleOpcode.PROTO) {
                return (int) reader.intArg();
            }
            int highest = 0;
            long limit = header.dataOffset() + PROTOCOL_SCAN_LIMIT;
            while (op != null && reader.opcodeOffset() < limit) {
                highest = Math.max(highest, op.protocol());
                op = reader.next();
            }
            return highest;
        }
    }

    private void writeText(PrintWriter out, NpyHeader h, Integer protocol) {
        out.printf(Locale.ROOT, "file:           %s%n", file);
        out.printf(Locale.ROOT, "format:         .npy %s%n", h.versionString());
        out.printf(Locale.ROOT, "descr:          %s%s%n", describeDescr(h.descr()), h.isObject() ? "  (object array: one pickle)" : "");
        out.printf(Locale.ROOT, "shape:          %s%n", pythonShape(h.shape()));
        out.printf(Locale.ROOT, "fortran_order:  %s%n", h.fortranOrder() ? "True" : "False");
        out.printf(Locale.ROOT, "count:          %d%n", h.count());
        out.printf(Locale.ROOT, "data offset:    %d%n", h.dataOffset());
        if (protocol != null) {
            out.printf(Locale.ROOT, "pickle:         protocol %d%n", protocol);
        } else {
            out.printf(Locale.ROOT, "raw data:       %d bytes (%d per item); no index needed, items are found by offset%n",
                    dataBytes(h), h.dtype().itemSize());
        }
    }

    /** Bytes of raw item data the header promises (non-object arrays). */
    private static long dataBytes(NpyHeader h) {
        return Math.multiplyExact(h.count(), (long) h.dtype().itemSize());
    }

    private void writeJson(PrintWriter out, NpyHeader h, Integer protocol, IndexReport report) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("file", file.toString());
            g.writeStringField("version", h.versionString());
            g.writeFieldName("descr");
            writeDescr(g, h.descr());
            g.writeArrayFieldStart("shape");
            for (long dim : h.shape()) {
                g.writeNumber(dim);
            }
            g.writeEndArray();
            g.writeBooleanField("fortran_order", h.fortranOrder());
            g.writeNumberField("count", h.count());
            g.writeNumberField("data_offset", h.dataOffset());
            g.writeBooleanField("object", h.isObject());
            if (protocol != null) {
                g.writeNumberField("protocol", protocol);
            } else {
                g.writeNullField("protocol");
            }
            if (report != null) {
                g.writeFieldName("index");
                report.writeJson(g);
            }
            if (!h.isObject()) {
                g.writeNumberField("itemsize", h.dtype().itemSize());
                g.writeNumberField("data_bytes", dataBytes(h));
                g.writeObjectFieldStart("index");
                g.writeStringField("status", "not_needed");
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        out.println();
    }

    /** Writes the JSON-friendly descr (a string, or nested lists for structured dtypes). */
    static void writeDescr(JsonGenerator g, Object descr) throws IOException {
        if (descr instanceof List) {
            g.writeStartArray();
            for (Object item : (List<?>) descr) {
                writeDescr(g, item);
            }
            g.writeEndArray();
        } else if (descr instanceof Number) {
            g.writeNumber(((Number) descr).longValue());
        } else {
            g.writeString(String.valueOf(descr));
        }
    }

    static String describeDescr(Object descr) {
        if (descr instanceof List) {
            StringBuilder sb = new StringBuilder();
            appendPython(sb, descr, true);
            return sb.toString();
        }
        return String.valueOf(descr);
    }

    /** Renders the descr as NumPy prints it: a list of tuples. */
    private static void appendPython(StringBuilder sb, Object value, boolean outerList) {
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            sb.append(outerList ? '[' : '(');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                Object item = list.get(i);
                // Inside a field tuple, a nested list is a nested structured descr or a shape tuple.
                boolean nestedIsList = outerList || (item instanceof List && !((List<?>) item).isEmpty()
                        && ((List<?>) item).get(0) instanceof List);
                appendPython(sb, item, !outerList && nestedIsList);
            }
            if (!outerList && list.size() == 1) {
                sb.append(',');
            }
            sb.append(outerList ? ']' : ')');
        } else if (value instanceof Number) {
            sb.append(value);
        } else {
            sb.append('\'').append(value).append('\'');
        }
    }

    static String pythonShape(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        if (shape.length == 1) {
            sb.append(',');
        }
        return sb.append(')').toString();
    }
}
