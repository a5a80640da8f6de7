package org.npyconv.converter.output;

import org.npyconv.formats.Durability;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit protocol of a dataset directory, including a commit that fails halfway through its renames. */
class DatasetDirectoryTest {
    @TempDir
    Path tmp;

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void commitReplacesTheOldPartsAndWritesTheMarkerLast() throws Exception {
        DatasetDirectory d = new DatasetDirectory(tmp, OutputFormat.PARQUET, Durability.FSYNC);
        for (String old : List.of("part-00000.parquet", "part-00001.parquet", "part-00002.arrow", "_SUCCESS", "notes.txt")) {
            Files.writeString(tmp.resolve(old), "old");
        }
        Path a = Files.writeString(d.stage(0), "new0");
        assertEquals(".part-00000.parquet.tmp-", a.getFileName().toString().substring(0, 24), "staged hidden");
        d.commit(List.of(a), "{\"parts\": 1}");
        assertEquals(List.of("_SUCCESS", "notes.txt", "part-00000.parquet"), listing(tmp));
        assertEquals("new0", Files.readString(tmp.resolve("part-00000.parquet")));
        assertEquals("{\"parts\": 1}\n", Files.readString(tmp.resolve("_SUCCESS")));
    }

    /** A rename failing after the first part: neither old nor new parts remain, and no marker. */
    @Test
    void aCommitThatFailsHalfwayLeavesNoPartsAndNoMarker() throws Exception {
        DatasetDirectory d = new DatasetDirectory(tmp, OutputFormat.ARROW, Durability.RENAME);
        for (String old : List.of("part-00000.arrow", "part-00001.arrow", "_SUCCESS")) {
            Files.writeString(tmp.resolve(old), "old");
        }
        Path first = Files.writeString(d.stage(0), "new0");
        Path vanished = tmp.resolve(".part-00001.arrow.tmp-gone");
        assertThrows(NoSuchFileException.class, () -> d.commit(List.of(first, vanished), "{}"));
        assertEquals(List.of(), listing(tmp));
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("x"), "x");
        assertThrows(java.nio.file.NotDirectoryException.class, () -> new DatasetDirectory(file, OutputFormat.ARROW, Durability.RENAME));
    }
}
