package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * {@code --fsync} changes when the output reaches the disk, never what it holds: every output path
 * (object and raw arrays, single files and datasets, Arrow and Parquet, {@code .npz} members, export)
 * writes the same bytes with and without it, and leaves no temporary file (docs/converter.md, "Atomic output").
 */
class FsyncOptionTest {
    @TempDir
    Path tmp;

    private static Path fixture(String name) {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> p.getFileName().toString().equals(name) && p.getParent().getFileName().toString().equals("numpy-2.4.6"))
                .findFirst().orElseThrow();
    }

    static Stream<Arguments> conversions() {
        return Stream.of("dicts.npy", "ragged_f4.npy", "strings_1001.npy", "num_f8.npy", "struct_nested.npy")
                .flatMap(f -> Stream.of(".arrow", ".parquet").map(ext -> Arguments.of(f, ext)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("conversions")
    void convertWritesTheSameBytesWithAndWithoutFsync(String name, String extension) throws Exception {
        Path npy = Files.copy(fixture(name), tmp.resolve(name));
        Path plain = tmp.resolve("plain" + extension);
        Path synced = tmp.resolve("synced" + extension);
        CliRun a = CliRun.of("convert", npy.toString(), "-o", plain.toString(), "--on-mixed", "json");
        CliRun b = CliRun.of("convert", npy.toString(), "-o", synced.toString(), "--on-mixed", "json", "--fsync");
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(0, b.exitCode(), b.err());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(synced));
        assertNoTemporaries();
    }

    @Test
    void datasetsAndArchivesAndExportsTakeFsyncToo() throws Exception {
        Path npy = Files.copy(fixture("strings_1001.npy"), tmp.resolve("s.npy"));
        CliRun a = CliRun.of("convert", npy.toString(), "-o", tmp.resolve("plain") + "/", "--rows-per-file", "400");
        CliRun b = CliRun.of("convert", npy.toString(), "-o", tmp.resolve("synced") + "/", "--rows-per-file", "400", "--fsync");
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(0, b.exitCode(), b.err());
        for (String part : List.of("part-00000.parquet", "part-00001.parquet", "part-00002.parquet")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("plain").resolve(part)), Files.readAllBytes(tmp.resolve("synced").resolve(part)), part);
        }
        assertTrue(Files.exists(tmp.resolve("synced/_SUCCESS")));

        Path npz = Files.copy(FixtureCorpus.npzFiles().stream()
                .filter(p -> p.getFileName().toString().equals("savez_compressed_mixed.npz")).findFirst().orElseThrow(),
                tmp.resolve("a.npz"));
        CliRun c = CliRun.of("convert", npz.toString(), "-o", tmp.resolve("members") + "/", "--on-mixed", "json", "--fsync");
        assertEquals(0, c.exitCode(), c.err());
        try (Stream<Path> members = Files.list(tmp.resolve("members"))) {
            assertTrue(members.anyMatch(p -> p.toString().endsWith(".parquet")), c.out());
        }

        CliRun d = CliRun.of("export", npy.toString(), "-o", tmp.resolve("synced.jsonl").toString(), "--fsync");
        assertEquals(0, d.exitCode(), d.err());
        assertEquals(CliRun.of("export", npy.toString()).out(), Files.readString(tmp.resolve("synced.jsonl")));
        assertNoTemporaries();
    }

    private void assertNoTemporaries() throws Exception {
        try (Stream<Path> all = Files.walk(tmp)) {
            List<Path> left = all.filter(p -> p.getFileName().toString().contains(".tmp-")
                    || p.getFileName().toString().startsWith(".npyconv-convert-")).toList();
            assertEquals(List.of(), left);
        }
    }
}
