package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sizes formats numbers without java.util.Formatter; these pin it to what String.format printed. */
class SizesTest {
    @Test
    void fixedPrintsWhatStringFormatPrints() {
        SplittableRandom random = new SplittableRandom(8);
        double[] edges = {0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.125, 0.995, 1.005, 2.675, 9.95, 9.949999, 99.5, 999.5,
                1e-7, 123456789.125, 0.0049999, 0.005};
        for (double v : edges) {
            for (int decimals = 0; decimals <= 2; decimals++) {
                assertEquals(String.format(Locale.ROOT, "%." + decimals + "f", v), Sizes.fixed(v, decimals), v + "/" + decimals);
            }
        }
        for (int k = 0; k < 200_000; k++) {
            // Values on a grid of halves (the rounding ties) as well as arbitrary doubles.
            double v = k % 2 == 0 ? random.nextInt(1_000_000) / 2000.0 : random.nextDouble() * Math.pow(10, random.nextInt(-3, 7));
            int decimals = random.nextInt(3);
            assertEquals(String.format(Locale.ROOT, "%." + decimals + "f", v), Sizes.fixed(v, decimals), v + "/" + decimals);
        }
    }

    @Test
    void sizesRatesAndSeconds() {
        assertEquals("999 B", Sizes.human(999));
        assertEquals("1.0 KB", Sizes.human(1000));
        assertEquals("9.9 KB", Sizes.human(9949));
        assertEquals("10.0 KB", Sizes.human(9950));
        assertEquals("352 KB", Sizes.human(352_300));
        assertEquals("1000 KB", Sizes.human(999_999));
        assertEquals("413 MB", Sizes.human(413_000_000));
        assertEquals("9.2 PB", Sizes.human(Long.MAX_VALUE / 1000));
        assertEquals("9223 PB", Sizes.human(Long.MAX_VALUE));
        assertEquals("1.4 GB/s", Sizes.rate(403_859_091, 280_000_000));
        assertEquals("0 B/s", Sizes.rate(5, 0));
        assertEquals("0.28 s", Sizes.seconds(280_000_000));
        assertEquals("0.00 s", Sizes.seconds(0));
        assertEquals("12.35 s", Sizes.seconds(12_345_000_001L));
    }
}
