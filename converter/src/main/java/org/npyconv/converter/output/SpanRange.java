package org.npyconv.converter.output;

import java.io.IOException;
import org.npyconv.formats.npyidx.SpanCursor;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The walk over elements {@code [from, to)} of an object array that every {@link FastSpans} shares:
 * a span cursor positioned by the index, a {@link PickleWindow} over the pickle, look-ahead for
 * {@link #peek()}, and the fast/slow counts. Subclasses only decide how one span is written.
 */
abstract class SpanRange implements FastSpans {
    /** Window over the pickle: spans up to this size are read in one positional read. */
    static final int WINDOW = 4 << 20;

    protected final NpyObjectArray array;
    /** The current element's span; null when the range is empty. */
    protected final SpanCursor cursor;
    protected final PickleWindow window;
    /** The element {@link #next} evaluated when it returned {@link #SLOW}. */
    protected Object slowElement;
    protected long fast;
    protected long slow;
    private final long from;
    private final long to;
    private boolean peeked;
    private boolean done;

    SpanRange(NpyObjectArray array, long from, long to) throws IOException {
        this.array = array;
        this.from = from;
        this.to = to;
        this.window = new PickleWindow(array, WINDOW);
        this.cursor = from >= to ? null : array.index().cursorNear(from);
    }

    /** The end of the range (exclusive). */
    protected final long to() {
        return to;
    }

    /** Moves {@link #cursor} to the next element of the range (false at its end) and forgets the last slow element. */
    protected final boolean advance() {
        slowElement = null;
        if (peek() == END) {
            return false;
        }
        peeked = false;
        return true;
    }

    /** Whether another element follows ({@link #SLOW}) or not ({@link #END}); writes nothing. */
    @Override
    public final int peek() {
        if (cursor == null || done) {
            return END;
        }
        if (!peeked) {
            boolean more = cursor.next();
            while (more && cursor.index() < from) {
                more = cursor.next();
            }
            if (!more || cursor.index() >= to) {
                done = true;
                return END;
            }
            peeked = true;
        }
        return SLOW;
    }

    @Override
    public final Object slowElement() {
        return slowElement;
    }

    @Override
    public final long fastCount() {
        return fast;
    }

    @Override
    public final long slowCount() {
        return slow;
    }

    @Override
    public void close() throws IOException {
        window.close();
    }
}
