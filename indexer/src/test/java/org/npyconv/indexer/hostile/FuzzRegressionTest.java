package org.npyconv.indexer.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * The fuzzing seeds and every finding, as ordinary tests (docs/robustness.md, "Fuzzing"): each
 * {@link FuzzTarget} over every {@code .npy} of the fixture, corrupt and hostile corpora up to
 * 64 KiB (what {@code tools/hostile/fuzz.sh} seeds a campaign with) and over every file in
 * {@code testdata/fuzz/<Target>Fuzzer/} (inputs a campaign found, each one a fixed bug). A target
 * may only refuse cleanly, within 10 s per input.
 */
class FuzzRegressionTest {
    static final long MAX_SEED_BYTES = 64 * 1024;

    static Stream<Arguments> inputs() throws IOException {
        Path root = FixtureCorpus.root();
        List<Path> seeds = new ArrayList<>();
        for (String dir : List.of("fixtures", "corrupt", "hostile")) {
            try (Stream<Path> files = Files.walk(root.resolve(dir))) {
                files.filter(p -> p.toString().endsWith(".npy")).filter(p -> size(p) <= MAX_SEED_BYTES).sorted().forEach(seeds::add);
            }
        }
        assertTrue(seeds.size() > 100, "seeds: " + seeds.size());
        List<Arguments> out = new ArrayList<>();
        for (FuzzTarget target : FuzzTarget.values()) {
            for (Path seed : seeds) {
                out.add(Arguments.of(target, root.relativize(seed).toString(), seed));
            }
            Path findings = root.resolve("fuzz").resolve(fuzzerName(target));
            if (Files.isDirectory(findings)) {
                try (Stream<Path> files = Files.list(findings)) {
                    files.filter(Files::isRegularFile).sorted()
                            .forEach(f -> out.add(Arguments.of(target, root.relativize(f).toString(), f)));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("inputs")
    void targetRefusesOnlyCleanly(FuzzTarget target, String label, Path input) throws IOException {
        byte[] data = Files.readAllBytes(input);
        // A hang detector: the expansion bombs among the seeds take 1-3 s alone, over 10 s on a loaded machine.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> target.fuzz(data), label);
    }

    static String fuzzerName(FuzzTarget target) {
        switch (target) {
            case HEADER:
                return "HeaderFuzzer";
            case PICKLE_READER:
                return "PickleReaderFuzzer";
            case INDEXER:
                return "IndexerFuzzer";
            default:
                return "ElementsFuzzer";
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
