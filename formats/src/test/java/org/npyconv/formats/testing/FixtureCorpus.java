package org.npyconv.formats.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The committed real-NumPy fixture corpus under {@code testdata/} (layout in testdata/README.md).
 * Shared with later modules through this module's test-jar.
 */
public final class FixtureCorpus {
    /** Reads numbers exactly: big ints as BigInteger, floats as BigDecimal (never rounded). */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private FixtureCorpus() {}

    /** The testdata directory: the {@code npyconv.testdata} property Maven sets, else found upward from the working directory. */
    public static Path root() {
        String configured = System.getProperty("npyconv.testdata");
        if (configured != null && Files.isDirectory(Paths.get(configured))) {
            return Paths.get(configured);
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("testdata/fixtures"))) {
                return dir.resolve("testdata");
            }
        }
        throw new IllegalStateException("testdata/ not found; run tests from the repository");
    }

    /** Every valid {@code .npy} fixture, all NumPy versions, sorted. */
    public static List<Path> npyFiles() {
        return list(root().resolve("fixtures"), ".npy");
    }

    /** Every {@code .npz} fixture, sorted. */
    public static List<Path> npzFiles() {
        return list(root().resolve("fixtures"), ".npz");
    }

    /** Every deliberately corrupt file, sorted. */
    public static List<Path> corruptFiles() {
        return list(root().resolve("corrupt"), ".npy");
    }

    /** The expected facts beside a fixture ({@code NAME.npy.json}). */
    public static JsonNode expected(Path fixture) {
        return readJson(fixture.resolveSibling(fixture.getFileName() + ".json"));
    }

    /** The recorded {@code pickletools.genops} listing beside an object fixture ({@code NAME.npy.ops.jsonl}). */
    public static Path opsListing(Path fixture) {
        return fixture.resolveSibling(fixture.getFileName() + ".ops.jsonl");
    }

    /** The listing's rows, one JSON object per opcode. */
    public static List<JsonNode> ops(Path fixture) {
        try (Stream<String> lines = Files.lines(opsListing(fixture))) {
            return lines.filter(l -> !l.isBlank()).map(FixtureCorpus::parse).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A short name for test reports: {@code numpy-2.4.6/strings_ascii.npy}. */
    public static String label(Path fixture) {
        return root().relativize(fixture).toString().replaceFirst("^fixtures/", "");
    }

    public static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("missing fixture directory " + dir);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
