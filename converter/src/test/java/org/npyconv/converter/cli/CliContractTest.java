package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;

/** Exit codes and the one-line {@code error:} contract, for every command and every corrupt fixture. */
class CliContractTest {
    @TempDir
    Path tmp;

    @Test
    void usageErrorsExitTwo() {
        for (String[] args : List.of(new String[] {"bogus"}, new String[] {"info"}, new String[] {"info", "--nope", "x"},
                new String[] {}, new String[] {"index", "a", "--checkpoint-every", "zero"},
                // every required parameter and option of each command, its model being built in code
                new String[] {"index"}, new String[] {"get"}, new String[] {"get", "a.npy"}, new String[] {"export"},
                new String[] {"verify"}, new String[] {"convert"}, new String[] {"convert", "a.npy"},
                new String[] {"convert", "a.npy", "-o"}, new String[] {"get", "a.npy", "1", "--index"},
                new String[] {"convert", "a.npy", "-o", "b.arrow", "--threads", "two"},
                new String[] {"export", "a.npy", "m", "extra"})) {
            CliRun run = CliRun.of(args);
            assertEquals(2, run.exitCode(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.err().startsWith("error: "), run.err());
        }
    }

    @Test
    void helpAndVersionExitZero() {
        CliRun help = CliRun.of("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("info"), help.out());
        CliRun version = CliRun.of("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("npyconv "), version.out());
    }

    @Test
    void everySubcommandHasHelpVersionAndTheInheritedDebugOption() {
        for (String command : List.of("info", "index", "get", "export", "verify", "convert")) {
            CliRun help = CliRun.of(command, "--help");
            assertEquals(0, help.exitCode(), command);
            assertTrue(help.out().startsWith("Usage: npyconv " + command + " "), help.out());
            assertTrue(help.out().contains("--debug"), help.out());
            CliRun version = CliRun.of(command, "-V");
            assertEquals(0, version.exitCode(), command);
            assertTrue(version.out().startsWith("npyconv "), command + ": " + version.out());
        }
        String absent = tmp.resolve("absent.npy").toString();
        for (String[] args : List.of(new String[] {"info", absent}, new String[] {"index", absent}, new String[] {"get", absent, "0"},
                new String[] {"export", absent}, new String[] {"verify", absent},
                new String[] {"convert", absent, "-o", tmp.resolve("o.arrow").toString()})) {
            String[] debug = new String[args.length + 1];
            debug[0] = args[0];
            debug[1] = "--debug"; // after the subcommand: the root's option is inherited
            System.arraycopy(args, 1, debug, 2, args.length - 1);
            CliRun run = CliRun.of(debug);
            assertEquals(1, run.exitCode(), String.join(" ", debug) + ": " + run.err());
            assertTrue(run.err().contains("error: ") && run.err().contains("\tat "), String.join(" ", debug) + ": " + run.err());
        }
    }

    @Test
    void missingFileIsOneErrorLine() {
        CliRun run = CliRun.of("info", tmp.resolve("absent.npy").toString());
        assertEquals(1, run.exitCode());
        assertEquals("error: no such file: " + tmp.resolve("absent.npy") + System.lineSeparator(), run.err());
    }

    /**
     * An output in a directory that does not exist fails in one line naming the output (not the
     * temporary file), and no directory is created: cp, np.save and pyarrow behave so.
     */
    @Test
    void anOutputInAMissingDirectoryIsOneErrorLineAndCreatesNothing() throws Exception {
        Path input = Files.copy(FixtureCorpus.root().resolve("fixtures/numpy-2.4.6/strings_1001.npy"), tmp.resolve("strings.npy"));
        Path raw = Files.copy(FixtureCorpus.root().resolve("fixtures/numpy-2.4.6/dt64_D.npy"), tmp.resolve("dates.npy"));
        Path missing = tmp.resolve("no/such");
        List<List<String>> commands = List.of(
                List.of("convert", input.toString(), "--output", missing.resolve("x.parquet").toString()),
                List.of("convert", input.toString(), "--output", missing.resolve("x.arrow").toString()),
                List.of("convert", raw.toString(), "--output", missing.resolve("x.parquet").toString()),
                List.of("export", input.toString(), "-o", missing.resolve("x.jsonl").toString()),
                List.of("index", input.toString(), "--index", missing.resolve("x.npyidx").toString()));
        for (List<String> c : commands) {
            CliRun run = CliRun.of(c.toArray(String[]::new));
            String target = c.get(c.size() - 1);
            assertEquals(1, run.exitCode(), c + ": " + run.err());
            assertEquals("error: cannot write " + target + ": no such directory: " + missing + System.lineSeparator(),
                    run.err(), c.toString());
            assertFalse(Files.exists(tmp.resolve("no")), c.toString());
        }
    }

    /**
     * An output or index path that is the input itself (also through a symbolic link) is refused
     * before anything is written: the rename at the end would have replaced the input with the
     * output (convert did, silently).
     */
    @Test
    void anOutputThatIsTheInputIsRefusedAndTheInputKept() throws Exception {
        Path input = Files.copy(FixtureCorpus.root().resolve("fixtures/numpy-2.4.6/strings_1001.npy"), tmp.resolve("s.npy"));
        byte[] original = Files.readAllBytes(input);
        Path link = Files.createSymbolicLink(tmp.resolve("link.parquet"), input);
        List<List<String>> commands = List.of(
                List.of("convert", input.toString(), "--output", input.toString(), "--format", "parquet"),
                List.of("convert", input.toString(), "--output", link.toString()),
                List.of("export", input.toString(), "-o", input.toString()),
                List.of("index", input.toString(), "--index", input.toString()),
                List.of("get", input.toString(), "0", "--index", link.toString()),
                List.of("convert", input.toString(), "--output", tmp.resolve("fine.arrow").toString(), "--index", input.toString()));
        for (List<String> c : commands) {
            CliRun run = CliRun.of(c.toArray(String[]::new));
            assertEquals(1, run.exitCode(), c + ": " + run.err());
            assertEquals(1, run.err().lines().count(), c + ": " + run.err());
            assertTrue(run.err().startsWith("error: the ") && run.err().contains(" is the input file " + input
                    + " itself: refusing to replace it"), c + ": " + run.err());
            assertTrue(java.util.Arrays.equals(original, Files.readAllBytes(input)), c + ": the input changed");
        }
        assertEquals(List.of("link.parquet", "s.npy"), listing());
    }

    private List<String> listing() throws java.io.IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void debugAddsTheStackTrace() {
        CliRun run = CliRun.of("--debug", "info", tmp.resolve("absent.npy").toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("\tat "), run.err());
    }

    @Test
    void staleAndDamagedIndexesAreRebuiltWithOneNotice() throws Exception {
        Path npy = Files.copy(FixtureCorpus.root().resolve("fixtures/numpy-2.4.6/mixed.npy"), tmp.resolve("m.npy"));
        assertEquals(0, CliRun.of("index", npy.toString()).exitCode());
        String expected = CliRun.of("get", "--json", npy.toString(), "3").out();

        Files.setLastModifiedTime(npy, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        CliRun stale = CliRun.of("get", "--json", npy.toString(), "3");
        assertEquals(0, stale.exitCode(), stale.err());
        assertEquals(expected, stale.out());
        assertEquals(1, stale.err().lines().count(), stale.err());
        assertTrue(stale.err().startsWith("npyconv: index ") && stale.err().contains(" is stale "), stale.err());

        Path index = tmp.resolve("m.npy.npyidx");
        byte[] bytes = Files.readAllBytes(index);
        bytes[bytes.length / 3] ^= 0x40;
        Files.write(index, bytes);
        CliRun damaged = CliRun.of("export", npy.toString());
        assertEquals(0, damaged.exitCode(), damaged.err());
        assertEquals(1, damaged.err().lines().count(), damaged.err());
        assertTrue(damaged.err().contains(" is damaged "), damaged.err());
        assertEquals(0, CliRun.of("verify", npy.toString()).exitCode(), "the rebuilt index verifies");
    }

    static Stream<Arguments> corruptFixtures() {
        return FixtureCorpus.corruptFiles().stream().flatMap(p -> Stream.of("info", "index", "get", "export")
                .map(cmd -> Arguments.of(cmd + " " + p.getFileName(), cmd, p)));
    }

    /** Every corrupt file: exit 1, one line naming the byte offset Python's listing puts the damage at, no files left. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFixtures")
    void corruptInputGivesOneLineWithTheOffset(String label, String command, Path fixture) throws Exception {
        JsonNode expected = FixtureCorpus.expected(fixture);
        Path copy = Files.copy(fixture, tmp.resolve(fixture.getFileName()));
        String[] args = command.equals("get") ? new String[] {command, copy.toString(), "0"} : new String[] {command, copy.toString()};
        CliRun run = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CliRun.of(args));
        boolean pickleDamage = expected.get("stage").asText().equals("pickle");
        if (command.equals("info") && pickleDamage) {
            // info reads only the header and the pickle's first bytes: damage further in is not its to see.
            assertTrue(run.exitCode() == 0 || run.exitCode() == 1, run.err());
        } else {
            assertEquals(1, run.exitCode(), run.out() + run.err());
            String[] lines = run.err().split("\\R");
            assertEquals(1, lines.length, run.err());
            assertTrue(lines[0].startsWith("error: "), lines[0]);
            // A truncation inside a protocol-4 frame is seen first at the FRAME, whose length is checked up front.
            boolean named = lines[0].contains("at byte " + expected.get("error_offset").asLong() + " ")
                    || expected.hasNonNull("frame_offset") && lines[0].contains("at byte " + expected.get("frame_offset").asLong() + " ");
            assertTrue(named, lines[0] + " should name byte " + expected.get("error_offset"));
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(copy.getFileName().toString()),
                    files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(copy.getFileName().toString() + ".npyidx") || run.exitCode() == 0)
                            .toList(), "no index or temporary file left after a failure");
        }
        assertFalse(run.exitCode() == 1 && Files.exists(tmp.resolve(copy.getFileName() + ".npyidx")));
    }
}
