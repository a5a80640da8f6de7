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
}
