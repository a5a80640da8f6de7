package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's Python with numpy and pyarrow: {@code <root>/.venv/np2/bin/python} for the
 * repository root given by the {@code npyconv.root} property (or a parent of it), else the
 * interpreter named by the {@code NPYCONV_PYTHON} environment variable (for worktrees that share
 * another checkout's venv).
 */
final class Python {
    private Python() {
    }

    record Result(int exit, String output) {
    }

    static Path root() {
        String root = System.getProperty("npyconv.root");
        return root != null ? Paths.get(root) : Paths.get("").toAbsolutePath();
    }

    static Path interpreter() {
        for (Path dir = root(); dir != null; dir = dir.getParent()) {
            Path python = dir.resolve(".venv/np2/bin/python");
            if (Files.isExecutable(python)) {
                return python;
            }
        }
        String env = System.getenv("NPYCONV_PYTHON");
        return env != null && Files.isExecutable(Paths.get(env)) ? Paths.get(env) : null;
    }

    static Path script(String name) {
        return root().resolve("tools").resolve(name);
    }

    static Result run(Path python, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(python.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }

    /**
     * Writes {@code values}, a Python expression for a list (with {@code np} and a seeded
     * {@code rng} in scope), as a 1-D object array to {@code npy} with {@code np.save}. Skips the
     * test (assumption) when there is no Python with numpy.
     */
    static Path saveObjectArray(Path npy, String values) throws IOException, InterruptedException {
        return writeObjectArray(npy, values, "np.save(sys.argv[1], a, allow_pickle=True)");
    }

    /**
     * As {@link #saveObjectArray}, but the pickle is written by {@code pickle.<pickler>} (Pickler or
     * _Pickler, the pure-Python one) with {@code protocol}, after NumPy's own 1.0 header.
     */
    static Path saveObjectArray(Path npy, String values, String pickler, int protocol) throws IOException, InterruptedException {
        return writeObjectArray(npy, values, String.join("\n",
                "from numpy.lib import format as fmt",
                "with open(sys.argv[1], 'wb') as f:",
                "    fmt.write_array_header_1_0(f, fmt.header_data_from_array_1_0(a))",
                "    pickle." + pickler + "(f, protocol=" + protocol + ").dump(a)"));
    }

    private static Path writeObjectArray(Path npy, String values, String save) throws IOException, InterruptedException {
        Path python = interpreter();
        org.junit.jupiter.api.Assumptions.assumeTrue(python != null, "no Python with numpy (tools/setup-python.sh)");
        Files.createDirectories(npy.toAbsolutePath().getParent());
        Result r = run(python, "-c", String.join("\n",
                "import numpy as np, sys, pickle",
                "rng = np.random.default_rng(5)",
                "values = " + values,
                "a = np.empty(len(values), dtype=object)",
                "for i, v in enumerate(values): a[i] = v",
                save), npy.toString());
        org.junit.jupiter.api.Assertions.assertEquals(0, r.exit(), r.output());
        return npy;
    }
}
