package org.npyconv.converter.output;

import java.io.Closeable;
import java.io.IOException;
import org.apache.arrow.vector.FieldVector;

/**
 * A fast path that writes elements of a task straight from their pickle spans ({@link NdSpans},
 * {@link TypedSpans}) and hands every span it cannot take back to {@link ChunkProducer} evaluated,
 * to be checked and written the general way.
 */
interface FastSpans extends Closeable {
    /** What {@link #next} did. */
    int END = -1;
    int SLOW = 0;
    int FAST = 1;

    /** Whether another element follows ({@link #SLOW}) or not ({@link #END}); writes nothing. */
    int peek();

    /**
     * Writes the next element at {@code row} of {@code column} ({@link #FAST}), or evaluates it and
     * leaves it in {@link #slowElement()} ({@link #SLOW}), or says there is none ({@link #END}).
     */
    int next(FieldVector column, int row) throws IOException;

    /** The element {@link #next} evaluated when it returned {@link #SLOW}. */
    Object slowElement();

    long fastCount();

    long slowCount();
}
