package org.npyconv.formats.element;

/**
 * Supplies memo entries a span refers to but did not define (back-references into the preamble or
 * into earlier elements). Called by {@link SpanEvaluator} for every {@code GET}/{@code BINGET}/
 * {@code LONG_BINGET} of an index the span has not stored itself; the evaluator caches the answer
 * for the rest of the span.
 */
@FunctionalInterface
public interface MemoResolver {
    /**
     * The value stored at {@code memoIndex}.
     *
     * @throws org.npyconv.formats.NpyconvException (or any RuntimeException, which the evaluator
     *     reports as corrupt input at the GET) when the entry is unknown or cannot be rebuilt
     */
    Object resolve(long memoIndex);
}
