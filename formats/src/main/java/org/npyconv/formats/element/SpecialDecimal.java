package org.npyconv.formats.element;

import java.util.Objects;

/**
 * A {@code decimal.Decimal} that {@link java.math.BigDecimal} cannot hold: {@code NaN},
 * {@code sNaN} (with an optional payload, e.g. {@code NaN123}), {@code Infinity},
 * {@code -Infinity}, or a negative zero such as {@code -0} or {@code -0.00}. {@link #text()} is
 * exactly Python's {@code str()} of the value; JSON writes it as a string like every Decimal.
 */
public record SpecialDecimal(String text) {
    public SpecialDecimal {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return text;
    }
}
