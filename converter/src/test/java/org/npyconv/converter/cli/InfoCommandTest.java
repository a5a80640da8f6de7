package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.pickle.PickleOpcode;
import org.npyconv.formats.testing.FixtureCorpus;

/** {@code info --json} on every fixture equals the facts Python recorded for it. */
class InfoCommandTest {
    static Stream<Arguments> fixtures() {
        return FixtureCorpus.npyFiles().stream().map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void infoJsonEqualsPythonsFacts(String label, Path fixture) throws Exception {
        CliRun run = CliRun.of("info", "--json", fixture.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        JsonNode info = FixtureCorpus.JSON.readTree(run.out());
        JsonNode expected = FixtureCorpus.expected(fixture);
        JsonNode header = expected.get("header");
        assertEquals(header.get("version").get(0).asInt() + "." + header.get("version").get(1).asInt(),
                info.get("version").asText());
        assertEquals(header.get("descr"), info.get("descr"));
        assertEquals(header.get("shape"), info.get("shape"));
        assertEquals(header.get("fortran_order").asBoolean(), info.get("fortran_order").asBoolean());
        assertEquals(header.get("count").asLong(), info.get("count").asLong());
        assertEquals(header.get("data_offset").asLong(), info.get("data_offset").asLong());
        assertEquals(expected.get("object").asBoolean(), info.get("object").asBoolean());
        if (expected.get("object").asBoolean()) {
            assertEquals(expectedProtocol(fixture, expected), info.get("protocol").asInt());
        } else {
            assertTrue(info.get("protocol").isNull());
            // np.save writes exactly the items after the header
            assertEquals(expected.get("file_size").asLong() - header.get("data_offset").asLong(), info.get("data_bytes").asLong());
            assertEquals("not_needed", info.get("index").get("status").asText());
        }
    }

    /** The PROTO argument, else (protocols 0 and 1) the highest protocol among the opcodes Python listed. */
    private static int expectedProtocol(Path fixture, JsonNode expected) {
        int proto = expected.get("protocol").asInt();
        if (proto > 0) {
            return proto;
        }
        return FixtureCorpus.ops(fixture).stream()
                .mapToInt(op -> PickleOpcode.valueOf(op.get("op").asText()).protocol())
                .max().orElse(0);
    }
}
