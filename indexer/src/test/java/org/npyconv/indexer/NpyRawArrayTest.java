package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.element.NumpyScalar;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/**
 * {@link NpyRawArray} over a {@code .npy} embedded at an odd offset of a larger file (as a stored
 * {@code .npz} member is): iteration and random access equal Python's items for every non-object
 * fixture, and the borrowed channel stays open.
 */
class NpyRawArrayTest {
    @TempDir
    Path tmp;

    static Stream<Path> rawFixtures() {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> !FixtureCorpus.expected(p).path("object").asBoolean())
                .filter(p -> FixtureCorpus.expected(p).has("elements"));
    }

    @ParameterizedTest
    @MethodSource("rawFixtures")
    void readsItemsAtAnyBaseOffset(Path fixture) throws Exception {
        List<?> expected = JsonValues.expectedElements(fixture);
        byte[] npy = Files.readAllBytes(fixture);
        byte[] outer = new byte[101 + npy.length + 7];
        System.arraycopy(npy, 0, outer, 101, npy.length);
        Path file = Files.write(tmp.resolve("outer.bin"), outer);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyHeader header = NpyHeader.read(ch, 101, file);
            try (NpyRawArray array = NpyRawArray.of(ch, header, file)) {
                assertEquals(expected.size(), array.size());
                Iterator<NumpyScalar> it = array.iterator();
                for (int i = 0; i < expected.size(); i++) {
                    assertNull(JsonValues.difference(expected.get(i), ElementJson.toJson(it.next())), "item " + i);
                    // backwards, so reads do not follow the iteration
                    int j = expected.size() - 1 - i;
                    assertNull(JsonValues.difference(expected.get(j), ElementJson.toJson(array.get(j))), "get " + j);
                }
                assertTrue(!it.hasNext());
                assertThrows(IndexOutOfBoundsException.class, () -> array.get(expected.size()));
            }
            assertTrue(ch.isOpen(), "a borrowed channel is not closed");
        }
    }
}
