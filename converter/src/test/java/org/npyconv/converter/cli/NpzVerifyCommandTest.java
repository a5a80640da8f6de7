package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code npyconv verify FILE.npz} behaves as {@code verify FILE.npy} does — the same messages and
 * exit codes for a missing, current, stale and damaged sidecar — and {@code get} of a big deflated
 * numeric member builds the sidecar and reads through its checkpoints (values as np.load reads them).
 */
class NpzVerifyCommandTest {
    @TempDir
    Path tmp;

    /** Exit 1 with exactly one line on stderr, {@code error: ...}, no stack trace, nothing on stdout. */
    private static void assertOneError(CliRun r, String part) {
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: "), r.err());
        assertTrue(lines.get(0).contains(part), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void missingCurrentStaleAndDamagedAsForANpy() throws Exception {
        Path npy = Files.copy(Path.of(System.getProperty("npyconv.root", ".")).resolve("examples/ragged.npy"),
                tmp.resolve("r.npy"));
        Path npz = Files.copy(NpzCommandsTest.ZipFixtures.fixture("npz_large_compressed.npz"), tmp.resolve("l.npz"));
        for (Path f : List.of(npy, npz)) {
            Path idx = tmp.resolve(f.getFileName() + ".npyidx");
            assertOneError(CliRun.of("verify", f.toString()), "error: no index: run 'npyconv index " + f + "' in " + idx);

            assertEquals(0, CliRun.of("index", f.toString()).exitCode());
            CliRun ok = CliRun.of("verify", f.toString());
            assertEquals(0, ok.exitCode(), ok.err());
            assertEquals("ok: " + idx + " matches " + f + "\n", ok.out());
            assertEquals("", ok.err());

            byte[] good = Files.readAllBytes(idx);
            byte[] bad = good.clone();
            bad[bad.length / 2] ^= 0x20;
            Files.write(idx, bad);
            assertOneError(CliRun.of("verify", f.toString()), "error: index is damaged: section ");
            assertTrue(CliRun.of("verify", f.toString()).err().contains("checksum mismatch"));
            Files.write(idx, good);
            assertEquals(0, CliRun.of("verify", f.toString()).exitCode());

            Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 2000));
            assertOneError(CliRun.of("verify", f.toString()), "error: index is stale: the ");
            assertTrue(CliRun.of("verify", f.toString()).err().contains("modified after it was indexed"));
        }
        // another archive's index
        Path other = Files.copy(NpzCommandsTest.ZipFixtures.fixture("npz_objects_keywords_compressed.npz"),
                tmp.resolve("k.npz"));
        assertOneError(CliRun.of("verify", other.toString(), "--index", tmp.resolve("l.npz.npyidx").toString()),
                "error: index is stale: the archive has ");
        assertEquals(2, CliRun.of("verify").exitCode(), "usage error");
    }

    /** A member whose stored bytes changed in place (same size and time): the archive's damage, one error line. */
    @Test
    void aDamagedMemberIsOneErrorLine() throws Exception {
        Path npz = Files.copy(NpzCommandsTest.ZipFixtures.fixture("npz_objects_positional.npz"), tmp.resolve("p.npz"));
        assertEquals(0, CliRun.of("index", npz.toString()).exitCode());
        FileTime mtime = Files.getLastModifiedTime(npz);
        byte[] b = Files.readAllBytes(npz);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        b[s.indexOf("item-3") + 5] ^= 0x01;                       // a str payload of the dicts member
        Files.write(npz, b);
        Files.setLastModifiedTime(npz, mtime);
        assertOneError(CliRun.of("verify", npz.toString()), "has bytes with CRC-32");
    }

    /** get on a 2.4 MB deflated float64 member: builds the sidecar (no notice), prints np.load's values. */
    @Test
    void getOfABigDeflatedNumericMemberBuildsTheSidecarAndReadsThroughIt() throws Exception {
        Path root = Path.of(System.getProperty("npyconv.root", "."));
        Path python = root.resolve(".venv/np2/bin/python");
        assertTrue(Files.isExecutable(python), "run tools/setup-python.sh first: no " + python);
        Path npz = tmp.resolve("f.npz");
        Process p = new ProcessBuilder(python.toString(), "-c", "import numpy as np, sys\n"
                + "r = np.random.default_rng(5); a = np.round(np.cumsum(r.standard_normal(300_000)), 3)\n"
                + "np.savez_compressed(sys.argv[1], a=a)\n"
                + "print(repr(float(a[299_999])), repr(float(a[-300])), repr(float(a[150_001])))", npz.toString())
                .redirectErrorStream(true).start();
        String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), expected);
        String[] want = expected.trim().split(" ");

        CliRun get = CliRun.of("get", "--json", npz.toString(), "a", "299999", "-300", "150001");
        assertEquals(0, get.exitCode(), get.err());
        assertEquals(String.join("\n", want) + "\n", get.out());
        assertEquals("", get.err(), "a missing sidecar is built without a notice");
        assertTrue(Files.exists(tmp.resolve("f.npz.npyidx")));
        CliRun verify = CliRun.of("verify", npz.toString());
        assertEquals(0, verify.exitCode(), verify.err());
        CliRun again = CliRun.of("get", "--json", npz.toString(), "a", "299999");
        assertEquals(want[0] + "\n", again.out());
    }
}
