package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/**
 * The commands on {@code .npz} archives: {@code info}, {@code get}, {@code export}, {@code index}
 * and {@code convert} on every archive fixture against Python's reading, and damaged archives
 * (derived from a fixture byte by byte) through every command: exit 1, exactly one {@code error:}
 * line, nothing left behind.
 */
class NpzCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Stream<Arguments> archives() {
        return FixtureCorpus.npzFiles().stream().map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> members(Path fixture) throws IOException {
        Map<String, Object> doc = (Map<String, Object>) JsonValues.parse(
                Files.readString(fixture.resolveSibling(fixture.getFileName() + ".json")));
        return (List<Map<String, Object>>) doc.get("members");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("archives")
    void infoGetAndExportEqualPythonsReading(String label, Path fixture) throws Exception {
        // A name without .npz: archives are recognised by their bytes
        Path npz = Files.copy(fixture, tmp.resolve("archive.bin"));
        JsonNode expected = FixtureCorpus.expected(fixture).get("members");
        CliRun info = CliRun.of("info", "--json", npz.toString());
        assertEquals(0, info.exitCode(), info.err());
        JsonNode listed = FixtureCorpus.JSON.readTree(info.out()).get("members");
        assertEquals(expected.size(), listed.size(), info.out());
        for (int k = 0; k < expected.size(); k++) {
            JsonNode e = expected.get(k);
            JsonNode m = listed.get(k);
            assertEquals(e.get("key").asText(), m.get("name").asText());
            assertEquals(e.get("compressed").asBoolean() ? "deflated" : "stored", m.get("storage").asText());
            assertEquals(e.get("header").get("descr"), m.get("descr"));
            assertEquals(e.get("header").get("shape"), m.get("shape"));
            assertEquals(e.get("file_size").asLong(), m.get("size").asLong());
            assertEquals(e.get("object").asBoolean(), m.get("object").asBoolean());
        }
        CliRun text = CliRun.of("info", npz.toString());
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("(zip archive, " + expected.size() + " member"), text.out());

        for (Map<String, Object> m : members(fixture)) {
            String key = (String) m.get("key");
            // Object members through the archive's sidecar, numeric ones by offset arithmetic (flat C order both).
            List<?> elements = (List<?>) m.get("elements");
            int n = elements.size();
            int middle = new Random(label.hashCode()).nextInt(n);
            CliRun get = CliRun.of("get", "--json", npz.toString(), key, String.valueOf(middle), "-1");
            assertEquals(0, get.exitCode(), get.err());
            String[] lines = get.out().split("\n");
            assertEquals(2, lines.length, get.out());
            assertNull(JsonValues.difference(elements.get(middle), lines[0]), key + " element " + middle);
            assertNull(JsonValues.difference(elements.get(n - 1), lines[1]), key + " last element");

            Path out = tmp.resolve(key + ".jsonl");
            CliRun export = CliRun.of("export", npz.toString(), key, "-o", out.toString());
            assertEquals(0, export.exitCode(), export.err());
            List<String> exported = Files.readAllLines(out);
            assertEquals(n, exported.size());
            for (int i = 0; i < n; i++) {
                assertNull(JsonValues.difference(elements.get(i), exported.get(i)), key + " line " + (i + 1));
            }
            Files.delete(out);
        }
        CliRun missing = CliRun.of("get", npz.toString(), "no_such_member", "0");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("no member 'no_such_member'"), missing.err());
    }

    @Test
    void indexWritesOneSidecarAndKeepsAnUpToDateOne() throws Exception {
        Path npz = Files.copy(ZipFixtures.fixture("npz_objects_keywords_compressed.npz"), tmp.resolve("a.npz"));
        CliRun first = CliRun.of("index", npz.toString());
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().startsWith("indexed 3 object members"), first.out());
        assertTrue(Files.exists(tmp.resolve("a.npz.npyidx")));
        CliRun second = CliRun.of("index", npz.toString());
        assertTrue(second.out().startsWith("index is up to date"), second.out());
        CliRun info = CliRun.of("info", "--json", npz.toString());
        assertEquals("current", FixtureCorpus.JSON.readTree(info.out()).get("index").get("status").asText(), info.out());
    }

    @Test
    void convertWritesOneOutputPerMember() throws Exception {
        Path fixture = ZipFixtures.fixture("npz_mixed_names.npz");
        Path npz = Files.copy(fixture, tmp.resolve("a.npz"));
        Path dir = tmp.resolve("out");
        CliRun run = CliRun.of("convert", npz.toString(), "--output", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("converted member arr_1: 3 rows as fixed_shape_tensor"), run.out());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("arr_0.parquet", "arr_1.parquet", "labels.parquet"),
                    files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
        List<?> labels = null;
        for (Map<String, Object> m : members(fixture)) {
            if ("labels".equals(m.get("key"))) {
                labels = (List<?>) m.get("elements");
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select value from '" + dir.resolve("labels.parquet") + "'")) {
            int i = 0;
            while (rs.next()) {
                assertNull(JsonValues.difference(labels.get(i), JSON.writeValueAsString(rs.getString(1))), "row " + i);
                i++;
            }
            assertEquals(labels.size(), i);
        }
    }

    /**
     * Every member of every archive converts (the str and ndarray fast paths read the member's
     * bytes through the archive, not a file of their own): row counts per member, and for ragged
     * ndarray members every row's length, read back by DuckDB.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("archives")
    @SuppressWarnings("unchecked")
    void everyMemberConvertsAndReadsBackInDuckDb(String label, Path fixture) throws Exception {
        Path npz = Files.copy(fixture, tmp.resolve("a.npz"));
        Path dir = tmp.resolve("out");
        CliRun run = CliRun.of("convert", npz.toString(), "--output", dir + "/", "--on-mixed", "json");
        assertEquals(0, run.exitCode(), run.err());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            for (Map<String, Object> m : members(fixture)) {
                if (!Boolean.TRUE.equals(m.get("object"))) {
                    continue; // numeric members: RawArrayCommandsTest and the test above
                }
                List<?> elements = (List<?>) m.get("elements");
                Path parquet = dir.resolve(m.get("key") + ".parquet");
                boolean ragged = elements.stream().allMatch(e -> e instanceof Map && ((Map<?, ?>) e).containsKey("$ndarray"));
                String sql = ragged ? "select len(value) from '" + parquet + "'" : "select count(*) from '" + parquet + "'";
                try (ResultSet rs = st.executeQuery(sql)) {
                    if (!ragged) {
                        assertTrue(rs.next());
                        assertEquals(elements.size(), rs.getLong(1), m.get("key") + " rows");
                        continue;
                    }
                    int i = 0;
                    while (rs.next()) {
                        Map<String, Object> nd = (Map<String, Object>) ((Map<?, ?>) elements.get(i)).get("$ndarray");
                        assertEquals(((List<?>) nd.get("data")).size(), rs.getLong(1), m.get("key") + " row " + i);
                        i++;
                    }
                    assertEquals(elements.size(), i, m.get("key") + " rows");
                }
            }
        }
    }

    // ---- damaged archives ----------------------------------------------------------------------

    static Stream<Arguments> damaged() {
        Map<String, UnaryOperator<byte[]>> cases = new java.util.LinkedHashMap<>();
        cases.put("truncated central directory", b -> java.util.Arrays.copyOf(b, (int) cd(b) + 20));
        cases.put("directory offset past the end", b -> putU32(b, eocd(b) + 16, b.length + 10L));
        cases.put("local header offset past the end", b -> putU32(b, cd(b) + 42, b.length + 10L));
        cases.put("unsupported method", b -> putU16(b, cd(b) + 10, 14));
        cases.put("uncompressed size that lies", b -> putU32(b, cd(b) + 24, u32(b, cd(b) + 24) + 7));
        cases.put("compressed size that lies", b -> putU32(b, cd(b) + 20, u32(b, cd(b) + 20) + 100_000));
        cases.put("garbled deflate data", b -> {
            long data = u32(b, cd(b) + 42) + 30 + u16(b, u32(b, cd(b) + 42) + 26) + u16(b, u32(b, cd(b) + 42) + 28);
            for (int i = 4; i < 60; i++) {
                b[(int) data + i] = (byte) 0xFF;
            }
            return b;
        });
        List<Arguments> out = new ArrayList<>();
        for (Map.Entry<String, UnaryOperator<byte[]>> e : cases.entrySet()) {
            for (String cmd : List.of("info", "index", "get", "export", "convert")) {
                if (cmd.equals("info") && (e.getKey().contains("size") || e.getKey().contains("deflate"))) {
                    continue; // info reads only the headers: a lie about sizes shows when the member is read
                }
                out.add(Arguments.of(e.getKey() + " / " + cmd, e.getValue(), cmd));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void damagedArchiveFailsWithOneErrorLineAndLeavesNothing(String label, UnaryOperator<byte[]> damage, String cmd)
            throws Exception {
        byte[] bytes = damage.apply(Files.readAllBytes(ZipFixtures.fixture("npz_objects_keywords_compressed.npz")));
        Path npz = tmp.resolve("bad.npz");
        Files.write(npz, bytes);
        Path out = tmp.resolve("out");
        CliRun run = switch (cmd) {
            case "info" -> CliRun.of("info", npz.toString());
            case "index" -> CliRun.of("index", npz.toString());
            case "get" -> CliRun.of("get", npz.toString(), "strings", "3");
            case "export" -> CliRun.of("export", npz.toString(), "strings", "-o", out.toString());
            default -> CliRun.of("convert", npz.toString(), "--output", out.toString());
        };
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertEquals("", run.out());
        String[] lines = run.err().split("\n");
        assertEquals(1, lines.length, run.err());
        assertTrue(lines[0].startsWith("error: ") && lines[0].contains(" at byte "), lines[0]);
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("bad.npz"), files.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
        }
    }

    static long eocd(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = b.length - 22; i >= 0; i--) {
            if (bb.getInt(i) == 0x06054b50) {
                return i;
            }
        }
        throw new AssertionError("no end record");
    }

    static long cd(byte[] b) {
        return u32(b, eocd(b) + 16);
    }

    static int u16(byte[] b, long at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort((int) at) & 0xFFFF;
    }

    static long u32(byte[] b, long at) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt((int) at));
    }

    static byte[] putU16(byte[] b, long at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort((int) at, (short) v);
        return b;
    }

    static byte[] putU32(byte[] b, long at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) at, (int) v);
        return b;
    }

    /** The fixtures by name (the newest NumPy's). */
    static final class ZipFixtures {
        static Path fixture(String name) {
            return FixtureCorpus.npzFiles().stream().filter(p -> p.getFileName().toString().equals(name))
                    .reduce((a, b) -> b).orElseThrow();
        }
    }
}
