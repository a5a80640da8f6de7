package org.npyconv.formats.element;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Set;
import org.npyconv.formats.UnsupportedInputException;

/**
 * The iterative tree walk behind {@link ElementJson} and {@link ElementRepr}: a renderer writes
 * atoms as text and opens containers as frames (an opening text, a lazy iterator of children, a
 * separator, a closing text); the walk drives the frames from an explicit stack, so element
 * nesting never becomes Java recursion. It refuses nesting deeper than its limit and reports the
 * containers on the current path, so renderers can detect cycles (a list that contains itself).
 *
 * <p>Shared references are written in full each time (as Python's {@code json} does), but a DAG
 * of memo back-references can describe an astronomically large tree in a few bytes (a list holding
 * the previous list 1000 times, 30 levels deep). The walk therefore remembers every container (and
 * every long string or bytes value) it has written, and counts the characters it writes again for
 * one it has already written; beyond {@link #MAX_REPEATED_CHARS} it refuses the element. Ordinary
 * elements, which write each object once, never reach the limit however large they are.
 * Single use, not thread-safe.
 */
final class TreeWalk {
    /** Renders one value: calls {@link TreeWalk#text} and/or {@link TreeWalk#open}. */
    interface Renderer {
        void render(Object value, TreeWalk walk) throws IOException;
    }

    /** A child written verbatim, without a separator before it. */
    record Raw(String text) {}

    private static final class Frame {
        final Object owner;
        final Iterator<?> children;
        final String separator;
        final String close;
        boolean first = true;

        Frame(Object owner, Iterator<?> children, String separator, String close) {
            this.owner = owner;
            this.children = children;
            this.separator = separator;
            this.close = close;
        }
    }

    private final Appendable out;
    /** {@link #out} when it takes bytes directly. */
    private final JsonBytes bytes;
    private final int maxDepth;
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Characters a walk may write for objects it has already written once (shared references). */
    static final long MAX_REPEATED_CHARS = 1L << 24;
    /** Strings and bytes at least this long are tracked as shared values; shorter ones are cheap to repeat. */
    static final int SHARED_ATOM_MIN = 1024;

    private final Set<Object> written = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Frame depth at which a repeated container was opened, or -1 while writing first occurrences. */
    private int repeatDepth = -1;
    private long repeatedChars;

    TreeWalk(Appendable out, int maxDepth) {
        this.out = out;
        this.bytes = out instanceof JsonBytes ? (JsonBytes) out : null;
        this.maxDepth = maxDepth;
    }

    /**
     * The byte sink to write into directly, bypassing {@link #text}: the walk's output when it is a
     * {@link JsonBytes} and nothing written now counts against the repetition limit (so skipping
     * the count is exact); otherwise {@code null}, and text must go through {@link #text}.
     */
    JsonBytes direct() {
        return repeatDepth < 0 ? bytes : null;
    }

    /**
     * Refuses to open one more level past the limit: before every frame {@link #open} pushes, and
     * for a child array written directly into {@link #direct()} instead of through a frame.
     */
    void requireDepthForChild() {
        if (frames.size() >= maxDepth) {
            throw new UnsupportedInputException("element nests deeper than " + maxDepth + " levels", null, -1, null);
        }
    }

    void text(CharSequence s) throws IOException {
        append(s);
    }

    /**
     * Writes the text of an atom that may be shared ({@code value} is the String, byte[] ... the
     * text renders): a long one written a second time counts against the repetition limit.
     */
    void atom(Object value, CharSequence s) throws IOException {
        if (repeatDepth < 0 && s.length() >= SHARED_ATOM_MIN && !written.add(value)) {
            countRepeated(s.length());
        }
        append(s);
    }

    /** Writes a piece of text for {@link #atomInPieces}. */
    interface Pieces {
        void write() throws IOException;
    }

    /**
     * {@link #atom} for text too long to build as one string (a 900 MiB bytes payload is 1.2 G
     * base64 characters): {@code length} is the text's exact length, {@code pieces} writes it
     * through {@link #text}. Counts against the repetition limit exactly as {@link #atom} does.
     */
    void atomInPieces(Object value, long length, Pieces pieces) throws IOException {
        if (repeatDepth < 0 && length >= SHARED_ATOM_MIN && !written.add(value)) {
            countRepeated(length);
        }
        pieces.write();
    }

    private void append(CharSequence s) throws IOException {
        if (repeatDepth >= 0) {
            countRepeated(s.length());
        }
        out.append(s);
    }

    private void countRepeated(long chars) {
        repeatedChars += chars;
        if (repeatedChars > MAX_REPEATED_CHARS) {
            throw new UnsupportedInputException("element expands shared references to more than " + MAX_REPEATED_CHARS
                    + " characters of repeated output (a memo-reference expansion bomb?)", null, -1, null);
        }
    }

    /** True when {@code owner} is a container currently being written (a cycle). */
    boolean isOnPath(Object owner) {
        return owner != null && onPath.contains(owner);
    }

    /**
     * Writes {@code open} and pushes a frame whose children are rendered in turn.
     *
     * @param owner the container (for cycle detection), or {@code null} for synthetic groupings
     */
    void open(Object owner, String open, Iterator<?> children, String separator, String close) throws IOException {
        requireDepthForChild();
        if (owner != null) {
            if (!written.add(owner) && repeatDepth < 0) {
                repeatDepth = frames.size();
            }
            onPath.add(owner);
        }
        append(open);
        frames.push(new Frame(owner, children, separator, close));
    }

    void run(Object root, Renderer renderer) throws IOException {
        renderer.render(root, this);
        while (!frames.isEmpty()) {
            Frame f = frames.peek();
            if (f.children.hasNext()) {
                Object child = f.children.next();
                if (child instanceof Raw) {
                    append(((Raw) child).text());
                    continue;
                }
                if (!f.first) {
                    append(f.separator);
                }
                f.first = false;
                renderer.render(child, this);
            } else {
                frames.pop();
                if (f.owner != null) {
                    onPath.remove(f.owner);
                }
                append(f.close);
                if (frames.size() == repeatDepth) {
                    repeatDepth = -1;
                }
            }
        }
    }
}
