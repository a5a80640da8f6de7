package org.npyconv.formats.element;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A Python {@code tuple}: an immutable, value-equal sequence, usable as a map key (Python allows
 * tuples as dict keys). Items may be {@code null} (None).
 *
 * <p>The hash is computed once, at construction, and only from items that are themselves hashable
 * in Python's sense (a mutable item such as a list contributes a constant), so a tuple's hash never
 * changes and never recurses. {@link #equals} is iterative over nested tuples, so deeply nested
 * tuples compare without deep Java recursion. Immutable and thread-safe (its items are as safe as
 * they are).
 */
public final class PyTuple {
    private static final PyTuple EMPTY = new PyTuple(new Object[0]);

    private final Object[] items;
    private final int hash;
    /** Tuple/frozenset nesting below and including this tuple (1 for a tuple of atoms). */
    private final int depth;
    private final boolean hashable;

    private PyTuple(Object[] items) {
        this.items = items;
        int h = 1;
        int d = 0;
        boolean allHashable = true;
        for (Object item : items) {
            h = 31 * h + Hashing.hashOf(item);
            d = Math.max(d, Hashing.depthOf(item));
            allHashable &= Hashing.isHashable(item);
        }
        this.hash = h;
        this.depth = d + 1;
        this.hashable = allHashable;
    }

    /** A tuple of these items (copied). */
    public static PyTuple of(Object... items) {
        return items.length == 0 ? EMPTY : new PyTuple(items.clone());
    }

    /** A tuple of these items (copied). */
    public static PyTuple of(List<?> items) {
        return items.isEmpty() ? EMPTY : new PyTuple(items.toArray());
    }

    /** Takes ownership of {@code items}; the caller must not touch the array afterwards. */
    static PyTuple wrap(Object[] items) {
        return items.length == 0 ? EMPTY : new PyTuple(items);
    }

    /** The items, unmodifiable. */
    public List<Object> items() {
        return Collections.unmodifiableList(Arrays.asList(items));
    }

    public int size() {
        return items.length;
    }

    public Object get(int index) {
        return items[index];
    }

    /** Nesting of tuples and frozensets inside this tuple, itself included. */
    int depth() {
        return depth;
    }

    /** Whether Python could hash this tuple (all items hashable). */
    boolean isHashable() {
        return hashable;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PyTuple)) {
            return false;
        }
        // Iterative over nested tuples: pairs still to compare.
        Deque<Object[]> pending = new ArrayDeque<>();
        pending.push(new Object[] {this, o});
        while (!pending.isEmpty()) {
            Object[] pair = pending.pop();
            PyTuple a = (PyTuple) pair[0];
            PyTuple b = (PyTuple) pair[1];
            if (a == b) {
                continue;
            }
            if (a.hash != b.hash || a.items.length != b.items.length) {
                return false;
            }
            for (int i = 0; i < a.items.length; i++) {
                Object x = a.items[i];
                Object y = b.items[i];
                if (x instanceof PyTuple && y instanceof PyTuple) {
                    pending.push(new Object[] {x, y});
                } else if (!Objects.equals(x, y)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Python-like text, e.g. {@code (1, 'a')}; see {@link ElementRepr}. */
    @Override
    public String toString() {
        return ElementRepr.repr(this);
    }

    Iterator<Object> iterator() {
        return Arrays.asList(items).iterator();
    }
}
