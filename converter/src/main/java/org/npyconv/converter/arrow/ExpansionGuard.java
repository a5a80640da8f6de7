package org.npyconv.converter.arrow;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.element.NdArray;
import org.npyconv.formats.element.PyByteArray;
import org.npyconv.formats.element.PyTuple;

/**
 * Refuses elements whose shared memo references expand into an astronomically large tree (a list
 * holding the previous list 1000 times, 30 levels deep: a few hundred bytes of pickle, 1000^30 Arrow
 * values). Type inference and the Arrow writers visit every occurrence of a shared object, so such an
 * element would run for ever and fill memory; {@code get}/{@code export} refuse it in their renderer
 * ({@code TreeWalk}), and this is the converter's counterpart (docs/robustness.md).
 *
 * <p>The measure is <em>weight</em>: one per value plus one per {@value #BYTES_PER_UNIT} bytes of a
 * str, bytes or ndarray payload, so a list of a thousand references to one 1 MiB string counts as
 * what it would occupy in Arrow. The check costs one walk of the element, stopped after
 * {@link #MAX_REPEATED_WEIGHT}: ordinary elements end below it. Only an element heavier than that is
 * weighed exactly, with every shared container counted once (memoized by identity) and compared
 * with its expanded weight: what shared references add beyond {@link #MAX_REPEATED_WEIGHT} is
 * refused. A large element without sharing is never refused. Not thread-safe (one per thread).
 */
public final class ExpansionGuard {
    /** What shared references may add to one element: about 16 M values or 256 MiB of payload. */
    public static final long MAX_REPEATED_WEIGHT = 1L << 24;
    static final int BYTES_PER_UNIT = 16;

    private final ArrayDeque<Iterator<?>> stack = new ArrayDeque<>();

    /**
     * Checks element {@code position}.
     *
     * @throws UnsupportedInputException when shared references expand it beyond the bound
     */
    public void check(Object element, long position) {
        if (!isContainer(element) || cheapWalkBelow(element, MAX_REPEATED_WEIGHT)) {
            return;
        }
        Map<Object, Long> expanded = new IdentityHashMap<>();
        long[] distinct = new long[1];
        long total = expandedWeight(element, expanded, distinct);
        if (total - distinct[0] > MAX_REPEATED_WEIGHT) {
            throw new UnsupportedInputException("element " + position + " expands shared references to more than "
                    + MAX_REPEATED_WEIGHT + " values (" + (total == Long.MAX_VALUE ? "over 2^63" : total)
                    + " in all; a memo-reference expansion bomb?)", null, -1, null);
        }
    }

    /** Walks every occurrence; true when the whole element weighs less than {@code limit}. */
    private boolean cheapWalkBelow(Object element, long limit) {
        stack.clear();
        long weight = 1;
        stack.push(children(element));
        while (!stack.isEmpty()) {
            Iterator<?> it = stack.peek();
            if (!it.hasNext()) {
                stack.pop();
                continue;
            }
            Object child = it.next();
            weight += weightOf(child);
            if (weight >= limit) {
                stack.clear();
                return false;
            }
            if (isContainer(child)) {
                stack.push(children(child));
            }
        }
        return true;
    }

    /**
     * The weight of every occurrence, saturating at {@code Long.MAX_VALUE}; each container's own
     * weight and its children's are added to {@code distinct[0]} the first time it is met. Iterative,
     * post-order, memoized by identity: the work is proportional to the distinct containers' children.
     */
    private static long expandedWeight(Object root, Map<Object, Long> done, long[] distinct) {
        ArrayDeque<Object> owners = new ArrayDeque<>();
        ArrayDeque<Iterator<?>> iterators = new ArrayDeque<>();
        ArrayDeque<long[]> sums = new ArrayDeque<>();
        java.util.Set<Object> onPath = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        owners.push(root);
        onPath.add(root);
        iterators.push(children(root));
        sums.push(new long[] {1});
        distinct[0] += 1;
        while (true) {
            Iterator<?> it = iterators.peek();
            long[] sum = sums.peek();
            if (it.hasNext()) {
                Object child = it.next();
                Long known = isContainer(child) ? done.get(child) : null;
                if (known != null) {
                    sum[0] = saturatingAdd(sum[0], known);
                } else if (isContainer(child)) {
                    if (!onPath.add(child)) {
                        throw new UnsupportedInputException("element contains itself (a container that holds a "
                                + "reference to itself has no Arrow value)", null, -1, null);
                    }
                    distinct[0] += 1;
                    owners.push(child);
                    iterators.push(children(child));
                    sums.push(new long[] {1});
                } else {
                    long w = weightOf(child);
                    distinct[0] += w;
                    sum[0] = saturatingAdd(sum[0], w);
                }
                continue;
            }
            Object owner = owners.pop();
            onPath.remove(owner);
            iterators.pop();
            sums.pop();
            done.put(owner, sum[0]);
            if (owners.isEmpty()) {
                return sum[0];
            }
            long[] parent = sums.peek();
            parent[0] = saturatingAdd(parent[0], sum[0]);
        }
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static boolean isContainer(Object v) {
        if (isPlainAtom(v)) {
            return false;
        }
        return v instanceof Iterable || v instanceof PyTuple || v instanceof Map
                || v instanceof NdArray && ((NdArray) v).isObjectArray();
    }

    /** Exact-class tests first: the common atoms, without the cost of interface instanceof checks. */
    private static boolean isPlainAtom(Object v) {
        if (v == null) {
            return true;
        }
        Class<?> c = v.getClass();
        return c == Long.class || c == Double.class || c == Boolean.class || c == String.class;
    }

    private static long weightOf(Object v) {
        if (v == null) {
            return 1;
        }
        Class<?> c = v.getClass();
        if (c == Long.class || c == Double.class || c == Boolean.class) {
            return 1;
        }
        if (v instanceof String) {
            return 1 + ((String) v).length() / BYTES_PER_UNIT;
        }
        if (v instanceof byte[]) {
            return 1 + ((byte[]) v).length / BYTES_PER_UNIT;
        }
        if (v instanceof PyByteArray) {
            return 1 + ((PyByteArray) v).bytes().length / BYTES_PER_UNIT;
        }
        if (v instanceof NdArray && !((NdArray) v).isObjectArray()) {
            NdArray a = (NdArray) v;
            return 1 + a.size() * Math.max(1, a.dtype().itemSize()) / BYTES_PER_UNIT;
        }
        return 1;
    }

    private static Iterator<?> children(Object v) {
        if (v instanceof PyTuple) {
            return ((PyTuple) v).items().iterator();
        }
        if (v instanceof Map) {
            // Keys and values both become Arrow values (struct fields, map entries).
            Iterator<? extends Map.Entry<?, ?>> entries = ((Map<?, ?>) v).entrySet().iterator();
            return new Iterator<Object>() {
                private Object pendingValue;
                private boolean hasPending;

                @Override
                public boolean hasNext() {
                    return hasPending || entries.hasNext();
                }

                @Override
                public Object next() {
                    if (hasPending) {
                        hasPending = false;
                        return pendingValue;
                    }
                    Map.Entry<?, ?> e = entries.next();
                    pendingValue = e.getValue();
                    hasPending = true;
                    return e.getKey();
                }
            };
        }
        if (v instanceof NdArray) {
            return ((NdArray) v).objects().iterator();
        }
        return ((Iterable<?>) v).iterator();
    }
}
