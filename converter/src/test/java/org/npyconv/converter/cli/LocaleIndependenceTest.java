package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * What the commands print does not depend on the user's locale: scripts parse it. Under Arabic
 * (its own digits), Turkish (dotless i: {@code "MISSING".toLowerCase()} is "mıssıng") and German
 * (decimal comma) defaults, every command prints exactly what it prints under {@link Locale#ROOT}.
 */
class LocaleIndependenceTest {
    private static final Locale[] LOCALES = {
        Locale.forLanguageTag("ar-EG"), Locale.forLanguageTag("tr-TR"), Locale.GERMANY, Locale.forLanguageTag("hi-IN-u-nu-deva"),
    };
    private final Locale saved = Locale.getDefault();

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        Locale.setDefault(saved);
    }

    @Test
    void commandsPrintTheSameUnderEveryLocale() throws Exception {
        Path root = FixtureCorpus.root().resolve("fixtures/numpy-2.4.6");
        Path dicts = Files.copy(root.resolve("dicts.npy"), dir.resolve("dicts.npy"));
        Path floats = Files.copy(root.resolve("floats_special.npy"), dir.resolve("floats_special.npy"));
        Path npz = Files.copy(root.resolve("npz_objects_positional.npz"), dir.resolve("objects.npz"));
        List<String[]> commands = List.of(
                new String[] {"info", dicts.toString()}, // index missing: its status word
                new String[] {"info", "--json", dicts.toString()},
                new String[] {"index", dicts.toString()},
                new String[] {"info", dicts.toString()}, // kind counts and globals
                new String[] {"info", "--json", dicts.toString()},
                new String[] {"get", dicts.toString(), "0", "-1"},
                new String[] {"get", "--json", floats.toString(), "0", "1", "2", "3"},
                new String[] {"get", floats.toString(), "0", "1", "2", "3"},
                new String[] {"export", floats.toString()},
                new String[] {"info", npz.toString()},
                new String[] {"verify", dicts.toString()});
        List<String> expected = new ArrayList<>();
        Locale.setDefault(Locale.ROOT);
        for (String[] c : commands) {
            expected.add(run(c));
        }
        for (Locale locale : LOCALES) {
            Files.deleteIfExists(dir.resolve("dicts.npy.npyidx")); // "missing" again for the first info
            Locale.setDefault(locale);
            for (int i = 0; i < commands.size(); i++) {
                assertEquals(expected.get(i), run(commands.get(i)), locale + ": " + String.join(" ", commands.get(i)));
            }
        }
        String all = String.join("", expected);
        assertTrue(all.contains("missing") && all.contains("(first at "), all);
        assertTrue(all.chars().noneMatch(ch -> Character.isDigit(ch) && (ch < '0' || ch > '9')), all);
    }

    /** stdout of one in-process run (exit code 0, or the run fails the test); index's time and rate masked. */
    private static String run(String[] args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.err());
        return maskTimes(r.out());
    }

    private static String maskTimes(String out) {
        return out.replaceAll(" in [^ ]+ s \\([^)]*\\)", " in T s (R)");
    }
}
