package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * Differential test against CPython's own {@code pickletools.genops} on pickles the local
 * {@code python3} writes ({@link PythonGenopsCorpus}): every opcode, offset and argument must be
 * equal; and every truncation must fail as corrupt at the opcode that cannot be read.
 */
@EnabledIf("org.npyconv.formats.pickle.PythonGenopsCorpus#available")
class PickleReaderGenopsTest {

    /** One generated pickle and its listing. */
    record Listed(String name, Path file, long start, List<JsonNode> rows) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Listed> corpus() {
        Path dir = PythonGenopsCorpus.dir();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".ops.jsonl")).sorted().map(listing -> {
                String name = listing.getFileName().toString().replace(".ops.jsonl", "");
                List<JsonNode> lines = readLines(listing);
                return new Listed(name, dir.resolve(name), lines.get(0).get("start").longValue(),
                        lines.subList(1, lines.size()));
            }).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> readLines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(l -> {
                try {
                    return FixtureCorpus.JSON.readTree(l);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> corpusAndWindows() {
        return corpus().stream().flatMap(l -> Stream.of(
                Arguments.of(l, PickleReader.DEFAULT_WINDOW_SIZE),
                Arguments.of(l, PickleReader.MIN_WINDOW_SIZE),
                Arguments.of(l, 100)));
    }

    static Stream<Arguments> corpusSmallWindow() {
        return corpus().stream().map(l -> Arguments.of(l, PickleReader.MIN_WINDOW_SIZE));
    }

    @ParameterizedTest(name = "{0}, window {1}")
    @MethodSource("corpusAndWindows")
    void matchesGenops(Listed l, int window) throws IOException {
        try (FileChannel ch = FileChannel.open(l.file(), StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, l.start(), ch.size(), l.file(), window)) {
            GenopsListing.assertMatches(l.rows(), r, l.name());
        }
    }

    @ParameterizedTest(name = "{0}, window {1}")
    @MethodSource("corpusSmallWindow")
    void everyTruncationFailsAtTheOpcodeThatCannotBeRead(Listed l, int window) throws IOException {
        TreeSet<Long> cuts = truncationPoints(l.rows());
        long first = cuts.first();
        long middle = cuts.toArray(new Long[0])[cuts.size() / 2];
        long last = cuts.last();
        try (FileChannel ch = FileChannel.open(l.file(), StandardOpenOption.READ)) {
            for (long cut : cuts) {
                long expected = TruncationRule.expectedErrorOffset(l.rows(), cut);
                // A few cuts are read from the start; the rest from a boundary near the cut that
                // must give the same error (TruncationRule.readFrom), which keeps this test fast.
                boolean fromStart = cut == first || cut == middle || cut == last;
                long from = fromStart ? l.start() : TruncationRule.readFrom(l.rows(), cut);
                int w = cut - from <= 4096 ? window : 4096;
                // The reader's end bound plays the truncated file.
                try (PickleReader r = new PickleReader(ch, l.start(), cut, l.file(), w)) {
                    if (!fromStart) {
                        r.seek(from); // memo keys stored before are unknown, so fetches are not checked
                    }
                    CorruptInputException e = assertThrows(CorruptInputException.class, () -> {
                        while (r.next() != null) {
                            // read to the end
                        }
                    }, () -> l.name() + " cut at " + cut);
                    assertEquals(expected, e.offset(), () -> l.name() + " cut at " + cut + ": " + e.getMessage());
                    assertNotNull(e.getMessage());
                }
            }
        }
    }

    /**
     * Cuts at each opcode's start, one byte after it and one byte before its end; for long
     * listings only the first 60 opcodes, the last 30 and about 60 spread in between.
     */
    private static TreeSet<Long> truncationPoints(List<JsonNode> rows) {
        TreeSet<Long> cuts = new TreeSet<>();
        int n = rows.size();
        long stopEnd = rows.get(n - 1).get("pos").longValue() + 1;
        for (int i = 0; i < n; i++) {
            if (n > 150 && i >= 60 && i < n - 30 && i % (n / 60) != 0) {
                continue;
            }
            long pos = rows.get(i).get("pos").longValue();
            long end = i + 1 < n ? rows.get(i + 1).get("pos").longValue() : stopEnd;
            cuts.add(pos);
            cuts.add(pos + 1);
            cuts.add(end - 1);
        }
        cuts.removeIf(c -> c >= stopEnd);
        return cuts;
    }
}
