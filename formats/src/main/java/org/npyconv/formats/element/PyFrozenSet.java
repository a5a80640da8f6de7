package org.npyconv.formats.element;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * A Python {@code frozenset}: an unmodifiable {@link java.util.Set} that iterates in pickle order
 * (the order Python wrote the members in). A mutable {@code set} is a plain
 * {@link LinkedHashSet} instead, so the two are told apart by type. Equal to any {@code Set} with
 * the same members (as in Python, {@code set() == frozenset()}). Members are hashable by
 * construction, so the hash is computed once, without recursion. Immutable and thread-safe.
 */
public final class PyFrozenSet extends AbstractSet<Object> {
    private final LinkedHashSet<Object> members;
    private final int hash;
    private final int depth;

    private PyFrozenSet(LinkedHashSet<Object> members) {
        this.members = members;
        int h = 0;
        int d = 0;
        for (Object m : members) {
            h += m == null ? 0 : m.hashCode();
            d = Math.max(d, Hashing.depthOf(m));
        }
        this.hash = h;
        this.depth = d + 1;
    }

    /** A frozenset of these members in iteration order (duplicates dropped, first wins). */
    public static PyFrozenSet of(Collection<?> members) {
        return new PyFrozenSet(new LinkedHashSet<>(members));
    }

    int depth() {
        return depth;
    }

    @Override
    public Iterator<Object> iterator() {
        return Collections.unmodifiableSet(members).iterator();
    }

    @Override
    public int size() {
        return members.size();
    }

    @Override
    public boolean contains(Object o) {
        return members.contains(o);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public String toString() {
        return ElementRepr.repr(this);
    }
}
