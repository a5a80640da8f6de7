package org.npyconv.formats.element;

/**
 * A Python {@code complex} (and the value of a {@code complex64}/{@code complex128} NumPy scalar).
 * Value-equal record; {@code equals} compares the bit patterns, as {@link Double#equals} does.
 */
public record PyComplex(double real, double imag) {
    @Override
    public String toString() {
        return ElementRepr.repr(this);
    }
}
