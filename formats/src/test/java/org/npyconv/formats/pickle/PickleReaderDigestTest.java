package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * {@link PickleReader#digest}: the checksum the reader feeds from its window copies (and from reads
 * of its own for skipped payloads and the bytes after STOP) must equal a CRC32C of the file's bytes
 * from the pickle's start, computed here over the whole file read at once, for every fixture and
 * windows from the smallest (where nearly every payload is skipped) to the default; with the fused
 * str runs taken as the indexer takes them; and digesting must not change what a corrupt file fails with.
 */
class PickleReaderDigestTest {
    private static final int[] WINDOWS = {PickleReader.MIN_WINDOW_SIZE, 23, 4096, PickleReader.DEFAULT_WINDOW_SIZE};

    @TempDir
    Path tmp;

    static Stream<Arguments> fixturesAndWindows() {
        return PickleReaderFixtureTest.objectFixtures().stream().flatMap(p -> IntStream.of(WINDOWS)
                .mapToObj(w -> Arguments.of(FixtureCorpus.label(p), p, w)));
    }

    static Stream<Arguments> corruptAndWindows() {
        return PickleReaderFixtureTest.pickleCorruptFixtures().stream().flatMap(p -> IntStream.of(WINDOWS)
                .mapToObj(w -> Arguments.of(FixtureCorpus.label(p), p, w)));
    }

    @ParameterizedTest(name = "{0}, window {2}")
    @MethodSource("fixturesAndWindows")
    void digestIsTheCrcOfThePickleBytes(String label, Path fixture, int window) throws IOException {
        for (boolean runs : new boolean[] {false, true}) {
            assertEquals(expectedCrc(fixture), digestOfPass(fixture, window, runs, null), label + ", str runs " + runs);
        }
    }

    /** Bytes after STOP (trailing garbage NumPy would ignore) are part of the checksummed range too. */
    @Test
    void bytesAfterStopAreDigested() throws IOException {
        Path fixture = fixture("strings_1001_p4.npy");
        Path padded = tmp.resolve("padded.npy");
        byte[] bytes = Files.readAllBytes(fixture);
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 100_000);
        for (int i = bytes.length; i < longer.length; i++) {
            longer[i] = (byte) (i * 31);
        }
        Files.write(padded, longer);
        for (int window : WINDOWS) {
            assertEquals(expectedCrc(padded), digestOfPass(padded, window, true, null), "window " + window);
        }
    }

    /** Small windows skip payloads past their end: the digest then reads those bytes itself. */
    @Test
    void skippedPayloadsAreReadForTheDigest() throws IOException {
        long apart = 0;
        for (Path fixture : PickleReaderFixtureTest.objectFixtures()) {
            long[] counter = new long[1];
            digestOfPass(fixture, PickleReader.MIN_WINDOW_SIZE, false, counter);
            apart += counter[0];
        }
        assertTrue(apart > 100_000, "bytes digested apart from the window: " + apart);
    }

    @ParameterizedTest(name = "{0}, window {2}")
    @MethodSource("corruptAndWindows")
    void digestingDoesNotChangeHowCorruptFilesFail(String label, Path file, int window) throws IOException {
        assertEquals(outcome(file, window, false), outcome(file, window, true), label);
    }

    @Test
    void digestOnlyBeforeReadingAndNoSeekWhileDigesting() throws IOException {
        Path fixture = fixture("strings_1001_p4.npy");
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), fixture, 4096)) {
            assertThrows(IllegalStateException.class, r::digestRest);
            r.next();
            assertThrows(IllegalStateException.class, () -> r.digest(new CRC32C()));
        }
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), fixture, 4096)) {
            r.digest(new CRC32C());
            r.next();
            assertThrows(IllegalStateException.class, () -> r.seek(r.position()));
        }
    }

    private static Path fixture(String name) {
        return FixtureCorpus.npyFiles().stream().filter(p -> p.getFileName().toString().equals(name))
                .findFirst().orElseThrow();
    }

    private static long expectedCrc(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long start;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            start = PickleReaderFixtureTest.pickleStart(ch);
        }
        CRC32C crc = new CRC32C();
        crc.update(all, (int) start, all.length - (int) start);
        return crc.getValue();
    }

    /** One pass to STOP with a digest; with {@code runs}, str runs are read the fused way where they start. */
    private static long digestOfPass(Path file, int window, boolean runs, long[] apart) throws IOException {
        CRC32C crc = new CRC32C();
        long[] a = new long[64];
        long[] b = new long[64];
        int[] c = new int[64];
        long[] d = new long[64];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), file, window)) {
            r.digest(crc);
            while (r.next() != null) {
                if (runs && r.memoSize() >= 0) {
                    r.readStrRun(r.memoSize(), a, b, c, d, 0, 64);
                }
            }
            r.digestRest();
            if (apart != null) {
                apart[0] = r.digestedApart;
            }
        }
        return crc.getValue();
    }

    private static String outcome(Path file, int window, boolean digest) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), file, window)) {
            if (digest) {
                r.digest(new CRC32C());
            }
            int n = 0;
            while (r.next() != null) {
                n++;
            }
            return "ok " + n + " opcodes";
        } catch (CorruptInputException e) {
            return "corrupt: " + e.getMessage();
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
