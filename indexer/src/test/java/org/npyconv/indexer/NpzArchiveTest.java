package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.npz.InflateCheckpoints;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/**
 * Every member of every {@code .npz} fixture (np.savez and np.savez_compressed under NumPy 1.26.4
 * and 2.4.6): the member list and headers as Python read them, and every element of every object
 * member — read at random, cold and warm, and streamed — equal to np.load's reading. Deflated
 * members are indexed with 16 KiB checkpoint spacing so random reads re-enter their deflate
 * streams at several checkpoints even in small fixtures.
 */
class NpzArchiveTest {
    static final long SMALL_SPACING = 16 * 1024;

    @TempDir
    Path tmp;

    static Stream<Arguments> archives() {
        return FixtureCorpus.npzFiles().stream().map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> expectedMembers(Path fixture) throws IOException {
        Map<String, Object> doc = (Map<String, Object>) JsonValues.parse(
                Files.readString(fixture.resolveSibling(fixture.getFileName() + ".json")));
        return (List<Map<String, Object>>) doc.get("members");
    }

    static NpzArchive.Options small() {
        return NpzArchive.Options.defaults().withInflateSpacing(SMALL_SPACING);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("archives")
    void membersAndEveryElementEqualPythonsReading(String label, Path fixture) throws Exception {
        Path npz = Files.copy(fixture, tmp.resolve("a.npz"));
        List<Map<String, Object>> expected = expectedMembers(fixture);
        try (NpzArchive archive = NpzArchive.open(npz, small())) {
            List<NpzArchive.Member> members = archive.members();
            assertEquals(expected.size(), members.size());
            for (int k = 0; k < members.size(); k++) {
                Map<String, Object> e = expected.get(k);
                NpzArchive.Member m = members.get(k);
                assertEquals(e.get("name"), m.zip().name());
                assertEquals(e.get("key"), m.key());
                assertEquals(e.get("compressed"), !m.zip().isStored(), m.key());
                JsonNode facts = FixtureCorpus.expected(fixture).get("members").get(k);
                if (facts.has("zip_data_offset")) {
                    assertEquals(facts.get("zip_data_offset").asLong(), m.zip().dataOffset(), m.key());
                }
                assertEquals(facts.get("file_size").asLong(), m.zip().uncompressedSize(), m.key());
                assertEquals(facts.get("header").get("count").asLong(), m.header().count(), m.key());
                assertEquals(facts.get("header").get("data_offset").asLong(), m.header().dataOffset(), m.key());
                assertEquals(facts.get("header").get("shape").size(), m.header().shape().length, m.key());
                assertEquals(e.get("object"), m.isObject(), m.key());
                if (!m.isObject()) {
                    assertThrows(UnsupportedInputException.class, () -> archive.objectArray(m.key()));
                }
            }
        }
        for (Map<String, Object> e : expected) {
            if (Boolean.TRUE.equals(e.get("object"))) {
                checkElements(label + " " + e.get("key"), npz, (String) e.get("key"), (List<?>) e.get("elements"));
            }
        }
    }

    private void checkElements(String label, Path npz, String key, List<?> expected) throws IOException {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(label.hashCode()));
        int cold = Math.min(order.size(), 15);
        for (int k = 0; k < cold; k++) {
            int i = order.get(k);
            try (NpzArchive archive = NpzArchive.open(npz, small()); NpyObjectArray array = archive.objectArray(key)) {
                assertNull(JsonValues.difference(expected.get(i), ElementJson.toJson(array.get(i))), label + " cold " + i);
            }
        }
        try (NpzArchive archive = NpzArchive.open(npz, small()); NpyObjectArray array = archive.objectArray(key)) {
            assertEquals(expected.size(), array.size());
            for (int k = cold; k < order.size(); k++) {
                int i = order.get(k);
                assertNull(JsonValues.difference(expected.get(i), ElementJson.toJson(array.get(i - expected.size()))),
                        label + " element " + i);
            }
            Iterator<Object> it = array.iterator();
            int i = 0;
            while (it.hasNext()) {
                assertNull(JsonValues.difference(expected.get(i), ElementJson.toJson(it.next())), label + " streamed " + i);
                i++;
            }
            assertEquals(expected.size(), i);
        }
    }

    /** Each member's channel view yields exactly the bytes java.util.zip inflates, at random offsets too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("archives")
    void memberChannelsEqualJavaUtilZip(String label, Path fixture) throws Exception {
        Path npz = Files.copy(fixture, tmp.resolve("a.npz"));
        try (NpzArchive archive = NpzArchive.open(npz, small()); ZipFile zip = new ZipFile(npz.toFile())) {
            archive.index();
            for (NpzArchive.Member m : archive.members()) {
                ZipEntry entry = zip.getEntry(m.zip().name());
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                try (FileChannel view = archive.channel(m)) {
                    assertEquals(bytes.length, view.size());
                    Random r = new Random(label.hashCode() + m.key().hashCode());
                    for (int t = 0; t < 30 && bytes.length > 0; t++) {
                        int at = r.nextInt(bytes.length);
                        int len = Math.min(bytes.length - at, 1 + r.nextInt(3000));
                        ByteBuffer got = ByteBuffer.allocate(len);
                        while (got.hasRemaining()) {
                            assertTrue(view.read(got, at + got.position()) > 0);
                        }
                        byte[] want = new byte[len];
                        System.arraycopy(bytes, at, want, 0, len);
                        assertArrayEquals(want, got.array(), m.key() + " at " + at);
                    }
                }
            }
        }
    }

    /** The multi-block deflated fixture really is re-entered at several checkpoints. */
    @Test
    void largeDeflatedMemberHasSeveralCheckpoints() throws Exception {
        for (Path fixture : FixtureCorpus.npzFiles()) {
            if (!fixture.getFileName().toString().equals("npz_large_compressed.npz")) {
                continue;
            }
            Path npz = Files.copy(fixture, tmp.resolve(fixture.getParent().getFileName() + ".npz"));
            try (NpzArchive archive = NpzArchive.open(npz, small())) {
                NpzArchive.Member large = archive.member("large");
                InflateCheckpoints c = archive.index().checkpoints(large.number());
                assertTrue(c.count() >= 3, "checkpoints: " + c.count());
                assertEquals(large.zip().uncompressedSize(), c.uncompressedSize());
                assertEquals(SMALL_SPACING, c.spacing());
                for (int k = 1; k < c.count(); k++) {
                    assertTrue(c.get(k).outOffset() - c.get(k - 1).outOffset() >= SMALL_SPACING);
                }
            }
        }
    }

    /** A changed archive makes the sidecar stale: it is rebuilt with a notice, and reads stay right. */
    @Test
    void staleIndexIsRebuiltWithANotice() throws Exception {
        Path fixture = FixtureCorpus.npzFiles().stream()
                .filter(p -> p.getFileName().toString().equals("npz_objects_keywords_compressed.npz")).findFirst().orElseThrow();
        Path npz = Files.copy(fixture, tmp.resolve("a.npz"));
        List<?> strings = (List<?>) expectedMembers(fixture).get(0).get("elements");
        try (NpzArchive archive = NpzArchive.open(npz); NpyObjectArray a = archive.objectArray("strings")) {
            assertNull(JsonValues.difference(strings.get(3), ElementJson.toJson(a.get(3))));
        }
        Files.setLastModifiedTime(npz, FileTime.fromMillis(Files.getLastModifiedTime(npz).toMillis() + 5000));
        List<String> notices = new ArrayList<>();
        try (NpzArchive archive = NpzArchive.open(npz, NpzArchive.Options.defaults().withNotices(notices::add));
             NpyObjectArray a = archive.objectArray("strings")) {
            assertNull(JsonValues.difference(strings.get(5), ElementJson.toJson(a.get(5))));
        }
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("stale"), notices.get(0));
        assertFalse(Files.list(tmp).anyMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary files left");
    }
}
