package org.npyconv.converter.output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Where one Parquet leaf column sits inside a top-level Arrow field: the structs and lists above
 * it, each OPTIONAL as {@link ParquetSchema} writes them (a list adds its repeated {@code list}
 * group). For a page of top-level rows it computes the leaf's repetition and definition levels
 * (Dremel, as {@link Shredder} hands them to the column writers: a null struct, null list or empty
 * list is one null entry at the level reached, a null item or field a null entry one level down)
 * straight from the validity bits and list offsets, runs at a time where nothing below is null,
 * and the spans of leaf-vector indexes whose values are defined, in order. Bound to one chunk's
 * vectors at a time; not thread-safe.
 */
final class LeafPath {
    private static final int STRUCT = 0;
    private static final int LIST = 1;
    private static final int LEAF = 2;

    private final int[] kinds;
    /** For a struct step: the ordinal of the child the path goes on to. */
    private final int[] child;
    /** For a list step: the repetition level of its items. */
    private final int[] level;
    private final Field leafField;
    final int maxDefinition;
    final int maxRepetition;

    private final FieldVector[] vectors;
    private final ArrowBuf[] offsets;
    private final boolean[] nulls;
    /** Nothing null from this step down to the leaf and no list below it: every entry is at the maximum level. */
    private final boolean[] clear;

    /** The defined values as spans {@code [from, to)} of leaf indexes; adjacent spans merged. */
    private int[] spans = new int[64];
    private int spanCount;
    private int entries;
    private int values;
    private LevelEncoder rep;
    private LevelEncoder def;

    private LeafPath(int[] kinds, int[] child, Field leafField) {
        this.kinds = kinds;
        this.child = child;
        this.leafField = leafField;
        int n = kinds.length;
        level = new int[n];
        int d = 0;
        int r = 0;
        for (int k = 0; k < n; k++) {
            if (kinds[k] == LIST) {
                level[k] = ++r;
                d += 2;
            } else {
                d++;
            }
        }
        maxDefinition = d;
        maxRepetition = r;
        vectors = new FieldVector[n];
        offsets = new ArrowBuf[n];
        nulls = new boolean[n];
        clear = new boolean[n + 1];
    }

    /**
     * The paths of every leaf of {@code field}, in Parquet column order, or null when a step is not
     * a plain struct or list (maps, fixed-size lists, extension types) or a leaf is not one of
     * {@code leafTypes}' kinds.
     */
    static List<LeafPath> of(Field field, java.util.function.Predicate<ArrowType> leafTypes) {
        List<LeafPath> out = new ArrayList<>();
        return collect(field, new int[0], new int[0], leafTypes, out) ? out : null;
    }

    private static boolean collect(Field f, int[] kinds, int[] child, java.util.function.Predicate<ArrowType> leafTypes,
                                   List<LeafPath> out) {
        ArrowType t = f.getType();
        int n = kinds.length;
        int[] k2 = Arrays.copyOf(kinds, n + 1);
        int[] c2 = Arrays.copyOf(child, n + 1);
        if (t instanceof ArrowType.Struct && t.getClass() == ArrowType.Struct.class) {
            if (f.getChildren().isEmpty()) {
                return false;
            }
            k2[n] = STRUCT;
            for (int i = 0; i < f.getChildren().size(); i++) {
                c2[n] = i;
                if (!collect(f.getChildren().get(i), k2, c2.clone(), leafTypes, out)) {
                    return false;
                }
            }
            return true;
        }
        if (t instanceof ArrowType.List && t.getClass() == ArrowType.List.class) {
            k2[n] = LIST;
            return collect(f.getChildren().get(0), k2, c2, leafTypes, out);
        }
        if (!leafTypes.test(t)) {
            return false;
        }
        k2[n] = LEAF;
        out.add(new LeafPath(k2, c2, f));
        return true;
    }

    /** The leaf's Arrow field. */
    Field leafField() {
        return leafField;
    }

    /**
     * Points the path at a chunk's top-level vector; false when a vector along it is not the class
     * the schema promises (the caller then takes the general route).
     */
    boolean bind(FieldVector top, Class<?> leafClass) {
        FieldVector v = top;
        for (int k = 0; k < kinds.length; k++) {
            vectors[k] = v;
            // Counted once per chunk: getNullCount() walks the whole validity buffer.
            nulls[k] = v.getNullCount() > 0;
            switch (kinds[k]) {
                case STRUCT -> {
                    if (!(v instanceof StructVector s) || s.size() <= child[k]) {
                        return false;
                    }
                    v = s.getChildrenFromFields().get(child[k]);
                }
                case LIST -> {
                    if (!(v instanceof ListVector l)) {
                        return false;
                    }
                    offsets[k] = l.getOffsetBuffer();
                    v = l.getDataVector();
                }
                default -> {
                    if (!leafClass.isInstance(v)) {
                        return false;
                    }
                }
            }
        }
        clear[kinds.length] = true;
        for (int k = kinds.length - 1; k >= 0; k--) {
            clear[k] = clear[k + 1] && !nulls[k] && kinds[k] != LIST;
        }
        return true;
    }

    /** The bound leaf vector. */
    FieldVector leaf() {
        return vectors[kinds.length - 1];
    }

    /**
     * The leaf index where top-level row {@code row}'s values start (through each list's offsets);
     * for page sizes only, so a null parent's items still count.
     */
    int leafIndex(int row) {
        int idx = row;
        for (int k = 0; k < kinds.length; k++) {
            if (kinds[k] == LIST) {
                if (vectors[k].getValueCount() == 0) {
                    return 0;
                }
                idx = offsets[k].getInt((long) idx * 4);
            }
        }
        return idx;
    }

    /**
     * The levels of top-level rows {@code [first, end)} into {@code rep} (unless the column has no
     * repetition) and {@code def}, which the caller has reset; the defined values' spans into
     * {@link #spans()}.
     */
    void levels(int first, int end, LevelEncoder rep, LevelEncoder def) {
        this.rep = rep;
        this.def = def;
        spanCount = 0;
        entries = 0;
        values = 0;
        if (clear[0]) {
            def.run(maxDefinition, end - first);
            entries = end - first;
            values = end - first;
            span(first, end);
        } else {
            for (int i = first; i < end; i++) {
                walk(0, i, 0, 0);
            }
        }
        if (rep != null) {
            rep.finish();
        }
        def.finish();
    }

    /** The entries of step {@code k} at index {@code idx}, at repetition {@code r}, under definition {@code d}. */
    private void walk(int k, int idx, int r, int d) {
        while (true) {
            if (nulls[k] && vectors[k].isNull(idx)) {
                entry(r, d);
                return;
            }
            d++;
            switch (kinds[k]) {
                case STRUCT -> k++;
                case LIST -> {
                    int a = offsets[k].getInt((long) idx * 4);
                    int b = offsets[k].getInt((long) (idx + 1) * 4);
                    if (a == b) {
                        entry(r, d);
                        return;
                    }
                    d++;
                    if (clear[k + 1]) {
                        // Every item defined down to the leaf: three runs, one span.
                        if (rep != null) {
                            rep.add(r);
                            rep.run(level[k], b - a - 1);
                        }
                        def.run(maxDefinition, b - a);
                        entries += b - a;
                        values += b - a;
                        span(a, b);
                        return;
                    }
                    walk(k + 1, a, r, d);
                    for (int j = a + 1; j < b; j++) {
                        walk(k + 1, j, level[k], d);
                    }
                    return;
                }
                default -> {
                    if (rep != null) {
                        rep.add(r);
                    }
                    def.add(d);
                    entries++;
                    values++;
                    span(idx, idx + 1);
                    return;
                }
            }
        }
    }

    private void entry(int r, int d) {
        if (rep != null) {
            rep.add(r);
        }
        def.add(d);
        entries++;
    }

    private void span(int from, int to) {
        if (spanCount > 0 && spans[2 * spanCount - 1] == from) {
            spans[2 * spanCount - 1] = to;
            return;
        }
        if (2 * spanCount + 2 > spans.length) {
            spans = Arrays.copyOf(spans, spans.length * 2);
        }
        spans[2 * spanCount] = from;
        spans[2 * spanCount + 1] = to;
        spanCount++;
    }

    /** The spans of the last {@link #levels} call: {@code spans()[2j]} to {@code spans()[2j + 1]}, {@link #spanCount()} of them. */
    int[] spans() {
        return spans;
    }

    int spanCount() {
        return spanCount;
    }

    /** Level entries of the last {@link #levels} call. */
    int entries() {
        return entries;
    }

    /** Defined values of the last {@link #levels} call (the rest of the entries are nulls). */
    int values() {
        return values;
    }

    /** Drops a span array grown by a chunk of many null-separated values. */
    void trim() {
        if (spans.length > 1 << 16) {
            spans = new int[64];
        }
    }
}
