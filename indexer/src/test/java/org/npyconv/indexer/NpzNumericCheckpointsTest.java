package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.npyidx.ArchiveIndex;
import org.npyconv.formats.npz.InflateCheckpoints;
import org.npyconv.formats.npz.InflatedMember;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/**
 * Deflate checkpoints for deflated non-object members (issue 7): an {@code np.savez_compressed}
 * archive of float64, structured, {@code <U5} and Fortran-ordered int64 members of 2.7-3.2 MB
 * each, written at test time by NumPy 2 (tools/fixtures/make_npz_numeric_big.py; too big to
 * commit), with np.load's values at early, middle and late positions. Every value read through the
 * checkpoints equals Python's, and the bytes the member view inflated prove where reading started:
 * from the nearest checkpoint, never from the member's start (the same reads without checkpoints
 * inflate everything before the item, which is what makes the assertion able to fail).
 */
class NpzNumericCheckpointsTest {
    private static final String[] NUMERIC = {"walk", "rec", "words", "grid"};

    @TempDir
    static Path shared;
    static Path archive;
    static Map<String, Object> expected;

    @TempDir
    Path tmp;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void writeArchive() throws Exception {
        archive = shared.resolve("big.npz");
        Path json = shared.resolve("big.json");
        python(Path.of(System.getProperty("npyconv.root", ".")).resolve("tools/fixtures/make_npz_numeric_big.py"),
                archive.toString(), json.toString());
        expected = (Map<String, Object>) ((Map<String, Object>) JsonValues.parse(Files.readString(json))).get("members");
    }

    /** Runs a script with NumPy 2.x from the project's venv (tools/setup-python.sh). */
    static void python(Path script, String... args) throws IOException, InterruptedException {
        Path python = Path.of(System.getProperty("npyconv.root", ".")).resolve(".venv/np2/bin/python");
        assertTrue(Files.isExecutable(python), "run tools/setup-python.sh first: no " + python);
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), output);
    }

    private Path copy() throws IOException {
        return Files.copy(archive, tmp.resolve("a.npz"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> values(String key) {
        return (Map<String, Object>) ((Map<String, Object>) expected.get(key)).get("values");
    }

    @Test
    void indexRecordsCheckpointsForEveryDeflatedMember() throws Exception {
        Path npz = copy();
        NpzIndexer.Result r = NpzIndexer.build(npz, Indexer.sidecarPath(npz), Indexer.DEFAULT_CHECKPOINT_INTERVAL,
                InflateCheckpoints.DEFAULT_SPACING, Indexer.Progress.NONE);
        assertEquals(5, r.deflatedMembers());
        try (NpzArchive a = NpzArchive.open(npz); ArchiveIndex idx = ArchiveIndex.open(Indexer.sidecarPath(npz))) {
            assertEquals(1, idx.minor());
            assertTrue(idx.checkpointsEveryDeflatedMember());
            for (String key : NUMERIC) {
                NpzArchive.Member m = a.member(key);
                InflateCheckpoints c = idx.checkpoints(m.number());
                assertNotNull(c, key);
                // 2.7-3.2 MB at 1 MiB spacing: two checkpoints at least
                assertTrue(c.count() >= 2, key + ": " + c.count());
                assertEquals(m.zip().uncompressedSize(), c.uncompressedSize());
            }
            assertNotNull(idx.checkpoints(a.member("obj").number()));
        }
    }

    /** Every expected value, each by a cold read (a fresh archive and view), through the checkpoints. */
    @Test
    void everyReadStartsAtTheNearestCheckpointAndEqualsPython() throws Exception {
        Path npz = copy();
        List<String> notices = new ArrayList<>();
        NpzArchive.Options options = NpzArchive.Options.defaults().withNotices(notices::add);
        for (String key : NUMERIC) {
            for (Map.Entry<String, Object> e : values(key).entrySet()) {
                long i = Long.parseLong(e.getKey());
                try (NpzArchive a = NpzArchive.open(npz, options)) {
                    NpzArchive.Member m = a.member(key);
                    try (FileChannel ch = a.randomAccessChannel(m);
                         NpyRawArray raw = NpyRawArray.of(ch, m.header(), Path.of(npz + "!" + key))) {
                        assertNull(JsonValues.difference(e.getValue(), ElementJson.toJson(raw.get(i))), key + "[" + i + "]");
                        InflatedMember view = (InflatedMember) ch;
                        assertTrue(view.hasCheckpoints(), key);
                        long at = raw.dataOffset() + raw.storageIndex(i) * m.header().dtype().itemSize();
                        InflateCheckpoints c = a.index().checkpoints(m.number());
                        int k = c.floor(at);
                        long from = k < 0 ? 0 : c.get(k).outOffset();
                        long cost = view.inflatedBytes();
                        // the header read (from the start: a few hundred bytes), then the nearest
                        // checkpoint up to the item, then the item
                        assertTrue(cost <= (at - from) + 64 * 1024 + m.header().dtype().itemSize(),
                                key + "[" + i + "] inflated " + cost + " bytes; checkpoint at " + from + ", item at " + at);
                        if (at > 2 * InflateCheckpoints.DEFAULT_SPACING) {
                            assertTrue(k >= 1 && cost < at - InflateCheckpoints.DEFAULT_SPACING, key + "[" + i + "]: " + cost);
                        }
                    }
                }
            }
        }
        assertTrue(Files.exists(Indexer.sidecarPath(npz)), "the first get built the sidecar");
        assertEquals(List.of(), notices, "a missing sidecar is built without a notice");
    }

    /** The control: without checkpoints the same late read inflates the member up to the item. */
    @Test
    void withoutCheckpointsALateReadInflatesFromTheStart() throws Exception {
        Path npz = copy();
        try (NpzArchive a = NpzArchive.open(npz)) {
            NpzArchive.Member m = a.member("walk");
            try (FileChannel ch = a.channel(m);          // sequential access: builds no sidecar
                 NpyRawArray raw = NpyRawArray.of(ch, m.header(), Path.of(npz + "!walk"))) {
                assertNull(JsonValues.difference(values("walk").get("399999"), ElementJson.toJson(raw.get(399_999))));
                assertFalse(((InflatedMember) ch).hasCheckpoints());
                assertTrue(((InflatedMember) ch).inflatedBytes() >= raw.dataOffset() + 399_999L * 8,
                        "inflated " + ((InflatedMember) ch).inflatedBytes());
            }
            assertFalse(Files.exists(Indexer.sidecarPath(npz)), "sequential access builds no sidecar");
        }
    }

    /**
     * A format 1.0 index (checkpoints for object members only) is valid but not enough: indexProblem
     * says so, and it is rebuilt, with a notice, when a get needs the checkpoints.
     */
    @Test
    void aFormatOneZeroIndexIsRebuiltForANumericGet() throws Exception {
        Path npz = copy();
        Path index = Indexer.sidecarPath(npz);
        NpzIndexer.build(npz, index, Indexer.DEFAULT_CHECKPOINT_INTERVAL, InflateCheckpoints.DEFAULT_SPACING,
                Indexer.Progress.NONE);
        int walk;
        try (NpzArchive a = NpzArchive.open(npz)) {
            walk = a.member("walk").number();
            ArchiveIndexForge old = ArchiveIndexForge.read(index);
            for (String key : NUMERIC) {
                old.sections.remove(old.find("INFL", a.member(key).number()));
            }
            old.minor = 0;
            old.write(index);
        }
        assertEquals(IndexCheck.Status.CURRENT, ArchiveIndexCheck.full(npz, index).status(), "a valid 1.0 index");
        try (NpzArchive a = NpzArchive.open(npz)) {
            // what info shows and what makes `npyconv index` (without --force) rebuild it
            String problem = a.indexProblem();
            assertTrue(problem != null && problem.startsWith("of format 1.0"), problem);
        }
        List<String> notices = new ArrayList<>();
        try (NpzArchive a = NpzArchive.open(npz, NpzArchive.Options.defaults().withNotices(notices::add))) {
            NpzArchive.Member m = a.member("walk");
            try (FileChannel ch = a.randomAccessChannel(m);
                 NpyRawArray raw = NpyRawArray.of(ch, m.header(), Path.of(npz + "!walk"))) {
                assertNull(JsonValues.difference(values("walk").get("399998"), ElementJson.toJson(raw.get(399_998))));
                assertTrue(((InflatedMember) ch).inflatedBytes() < 2 * InflateCheckpoints.DEFAULT_SPACING);
            }
        }
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("format 1.0"), notices.get(0));
        try (ArchiveIndex idx = ArchiveIndex.open(index)) {
            assertEquals(1, idx.minor());
            assertNotNull(idx.checkpoints(walk));
        }
    }

    /** A deflated member no bigger than one spacing can have no checkpoint: get reads it directly and builds nothing. */
    @Test
    void aSmallDeflatedMemberBuildsNoSidecar() throws Exception {
        Path fixture = FixtureCorpus.npzFiles().stream()
                .filter(p -> p.getFileName().toString().equals("npz_objects_keywords_compressed.npz")).findFirst().orElseThrow();
        Path npz = Files.copy(fixture, tmp.resolve("small.npz"));
        try (NpzArchive a = NpzArchive.open(npz)) {
            NpzArchive.Member m = a.member("numbers");
            try (FileChannel ch = a.randomAccessChannel(m);
                 NpyRawArray raw = NpyRawArray.of(ch, m.header(), Path.of(npz + "!numbers"))) {
                assertEquals("11", ElementJson.toJson(raw.get(11)));
            }
        }
        assertFalse(Files.exists(Indexer.sidecarPath(npz)));
    }
}
