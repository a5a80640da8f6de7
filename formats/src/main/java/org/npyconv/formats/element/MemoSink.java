package org.npyconv.formats.element;

/**
 * Told about every memo store in a span ({@code PUT}, {@code BINPUT}, {@code LONG_BINPUT},
 * {@code MEMOIZE}), so the caller decides which entries to keep for later spans. The value is the
 * object reference itself: containers and objects may still be filled in after the store (e.g.
 * {@code EMPTY_LIST MEMOIZE ... APPENDS}) and are complete when the span ends.
 */
@FunctionalInterface
public interface MemoSink {
    /** The span stored {@code value} at {@code memoIndex}. */
    void put(long memoIndex, Object value);

    /** A sink that keeps nothing. */
    MemoSink NONE = (index, value) -> { };
}
