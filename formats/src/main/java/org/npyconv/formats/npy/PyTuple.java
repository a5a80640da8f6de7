package org.npyconv.formats.npy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple read by {@link PythonLiteral}, kept apart from lists because a dtype descr gives
 * them different meanings: a tuple at the top of a descr is a subarray dtype, a list is a
 * structured dtype, and a header's {@code shape} must be a tuple.
 *
 * <p>Immutable; items may be {@code null} (Python {@code None}). Equality is by items, so tuples
 * work as dict keys as they do in Python.
 */
record PyTuple(List<Object> items) {
    PyTuple {
        // Not List.copyOf: that refuses nulls, and None is a legal item.
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    static PyTuple of(Object... items) {
        List<Object> list = new ArrayList<>(items.length);
        Collections.addAll(list, items);
        return new PyTuple(list);
    }

    int size() {
        return items.size();
    }

    Object get(int i) {
        return items.get(i);
    }

    @Override
    public String toString() {
        return PythonLiteral.repr(this);
    }
}
