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
    private final int maxDepth;
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());

    TreeWalk(Appendable out, int maxDepth) {
        this.out = out;
        this.maxDepth = maxDepth;
    }

    void text(CharSequence s) throws IOException {
        out.append(s);
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
        if (frames.size() >= maxDepth) {
            throw new UnsupportedInputException("element nests deeper than " + maxDepth + " levels", null, -1, null);
        }
        out.append(open);
        if (owner != null) {
            onPath.add(owner);
        }
        frames.push(new Frame(owner, children, separator, close));
    }

    void run(Object root, Renderer renderer) throws IOException {
        renderer.render(root, this);
        while (!frames.isEmpty()) {
            Frame f = frames.peek();
            if (f.children.hasNext()) {
                Object child = f.children.next();
                if (child instanceof Raw) {
                    out.append(((Raw) child).text());
                    continue;
                }
                if (!f.first) {
                    out.append(f.separator);
                }
                f.first = false;
                renderer.render(child, this);
            } else {
                frames.pop();
                if (f.owner != null) {
                    onPath.remove(f.owner);
                }
                out.append(f.close);
            }
        }
    }
}
