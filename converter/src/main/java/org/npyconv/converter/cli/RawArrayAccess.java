package org.npyconv.converter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.npyconv.converter.output.ConversionSummary;
import org.npyconv.converter.output.ConvertOptions;
import org.npyconv.converter.output.RawConversion;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.element.NumpyScalar;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.indexer.NpyRawArray;

/**
 * {@code get}, {@code export} and {@code index} on a non-object {@code .npy} (docs/numeric.md): items
 * are found by offset arithmetic, so there is no sidecar. The commands dispatch here first when the
 * header says the data is raw items.
 */
final class RawArrayAccess {
    private RawArrayAccess() {
    }

    /** True when {@code file}'s header describes raw items (no pickle). */
    static boolean holdsRawItems(Path file) throws IOException {
        return !NpyHeader.read(file).isObject();
    }

    /** The {@code index} command's answer for a raw file: nothing to build. */
    static String noIndexNeeded(Path file) throws IOException {
        NpyHeader h = NpyHeader.read(file);
        return "no index needed: " + file + " holds raw " + h.dtype().str() + " items (shape "
                + InfoCommand.pythonShape(h.shape()) + "); get, export and convert read it directly";
    }

    /**
     * Renders the items or sub-arrays at {@code positions}, all before printing any (a bad position
     * leaves no partial output).
     */
    static void get(Path file, List<String> positions, boolean json, PrintWriter out) throws IOException {
        try (NpyRawArray array = NpyRawArray.open(file)) {
            get(array, positions, json, out);
        }
    }

    /** {@link #get(Path, List, boolean, PrintWriter)} on an open array (also an .npz member's). */
    static void get(NpyRawArray array, List<String> positions, boolean json, PrintWriter out) throws IOException {
        List<Object> values = new ArrayList<>(positions.size());
        for (String text : positions) {
            values.add(at(array, text));
        }
        for (Object v : values) {
            out.println(json ? ElementText.json(v) : ElementText.repr(v));
        }
    }

    /**
     * What {@code get} prints for one position: {@code 5} / {@code -1} is a flat C-order position (as
     * for object arrays), {@code 3,1,2} a full index, and fewer indices than dimensions
     * ({@code 3,} or {@code 3,1} on a 3-d array) NumPy's {@code a[3]} / {@code a[3, 1]} sub-array.
     */
    static Object at(NpyRawArray array, String text) throws IOException {
        long[] shape = array.shape();
        String trimmed = text.strip();
        boolean tuple = trimmed.endsWith(",") && trimmed.length() > 1;
        String body = tuple ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        int parts = body.split(",", -1).length;
        if (parts == shape.length || parts == 1 && !tuple) {
            return array.get(GetCommand.flatPosition(body, shape, array.size()));
        }
        if (parts > shape.length) {
            throw new NpyconvException("too many indices: '" + text + "' for an array of " + shape.length
                    + " dimensions (shape " + InfoCommand.pythonShape(shape) + ")");
        }
        long[] leading = new long[parts];
        String[] items = body.split(",", -1);
        for (int i = 0; i < parts; i++) {
            try {
                leading[i] = Long.parseLong(items[i].strip());
            } catch (NumberFormatException e) {
                throw new NpyconvException("not a position: '" + text + "' (use 5, -1, 3,1 or 3, for a[3])");
            }
        }
        try {
            return array.slice(leading);
        } catch (IndexOutOfBoundsException e) {
            throw new NpyconvException(e.getMessage() + " (shape " + InfoCommand.pythonShape(shape) + ")");
        }
    }

    /** {@code convert}: one row per element of the first axis, progress on {@code bar}. */
    static ConversionSummary convert(Path file, org.npyconv.converter.output.OutputTarget output, ConvertOptions options, ProgressBar bar) throws IOException {
        try (NpyRawArray array = NpyRawArray.open(file);
             BufferAllocator allocator = new RootAllocator()) {
            long rows = array.shape().length == 0 ? 1 : array.shape()[0];
            return RawConversion.convert(array, output, options.withProgress(done -> bar.update(done, rows, "rows")), allocator);
        } finally {
            bar.done();
        }
    }

    /** Every item as one JSON line, flat C order (structured records as objects). */
    static void export(Path file, Appendable out) throws IOException {
        try (NpyRawArray array = NpyRawArray.open(file)) {
            export(array, out);
        }
    }

    /** {@link #export(Path, Appendable)} of an open array (also an .npz member's). */
    static void export(NpyRawArray array, Appendable out) throws IOException {
        Iterator<NumpyScalar> it = array.iterator();
        while (it.hasNext()) {
            ElementText.writeJson(it.next(), out);
            out.append('\n');
        }
    }
}
