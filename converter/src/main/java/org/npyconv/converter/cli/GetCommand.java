package org.npyconv.converter.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.npyconv.formats.NpyconvException;
import org.npyconv.indexer.NpyObjectArray;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code npyconv get FILE I [I ...]}: elements at random, through the sidecar (built first if needed). */
final class GetCommand implements Callable<Integer> {
    private Path file;
    private List<String> positions;
    private Path index;
    private boolean json;
    private CommandSpec spec;

    /** The command line model of a new {@code get} command. */
    @SuppressWarnings("unchecked")
    static CommandSpec spec() {
        GetCommand c = new GetCommand();
        c.spec = CommandModel.of(c, "get",
                        "Print elements of a .npy by position, without reading the rest of the file.",
                        "I is the flat C-order position (negative counts from the end) or, for an n-d array,",
                        "one position per axis separated by commas: 3,1. For non-object arrays fewer positions",
                        "than axes (3, or 3,1) select NumPy's a[3] / a[3, 1] sub-array (docs/numeric.md).")
                .positional(PositionalParamSpec.builder().index("0").paramLabel("FILE").description("The object .npy file."),
                        Path.class, () -> c.file, v -> c.file = v)
                .positional(PositionalParamSpec.builder().index("1..*").arity("1..*").paramLabel("I")
                                .auxiliaryTypes(String.class).description("Positions: 5, -1, 3,1."),
                        List.class, () -> c.positions, v -> c.positions = v)
                .option(OptionSpec.builder("--index").paramLabel("P").description("The sidecar index (default: FILE.npyidx)."),
                        Path.class, () -> c.index, v -> c.index = v)
                .option(OptionSpec.builder("--json").description("One JSON document per line (docs/elements.md conventions)."),
                        boolean.class, () -> c.json, v -> c.json = v)
                .spec();
        return c.spec;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (NpzCommands.isArchive(file)) {
            return NpzCommands.get(file, positions, index, json, out, err);
        }
        if (RawArrayAccess.holdsRawItems(file)) {
            RawArrayAccess.get(file, positions, json, out); // numeric/structured/string: no sidecar
            return NpyconvCommand.EXIT_OK;
        }
        NpyObjectArray.Options options = NpyObjectArray.Options.defaults()
                .withIndex(index)
                .withNotices(message -> err.println("npyconv: " + message));
        try (NpyObjectArray array = NpyObjectArray.open(file, options)) {
            long[] shape = array.shape();
            long[] flat = new long[positions.size()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = flatPosition(positions.get(i), shape, array.size());
            }
            // Render every element before printing any: a failure at a later position leaves no partial output.
            List<String> rendered = new java.util.ArrayList<>(flat.length);
            for (long at : flat) {
                Object value = array.get(at);
                try {
                    rendered.add(json ? ElementText.json(value) : ElementText.repr(value));
                } catch (NpyconvException e) {
                    throw ElementText.located(e, array, at);
                }
            }
            rendered.forEach(out::println);
        }
        return NpyconvCommand.EXIT_OK;
    }

    /** Parses {@code 5}, {@code -1} or {@code 3,1} and checks it against the shape, NumPy's way. */
    static long flatPosition(String text, long[] shape, long size) {
        String[] parts = text.split(",", -1);
        long[] position = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                position[i] = Long.parseLong(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new NpyconvException("not a position: '" + text + "' (use 5, -1 or 3,1)");
            }
        }
        try {
            if (parts.length == 1 && shape.length != 1) {
                long p = position[0] < 0 ? position[0] + size : position[0];
                if (p < 0 || p >= size) {
                    throw new IndexOutOfBoundsException("index " + position[0] + " is out of bounds for "
                            + size + " elements");
                }
                return p;
            }
            return NpyObjectArray.flatIndex(position, shape);
        } catch (IndexOutOfBoundsException e) {
            throw new NpyconvException(e.getMessage() + " (shape " + InfoCommand.pythonShape(shape) + ")");
        }
    }
}
