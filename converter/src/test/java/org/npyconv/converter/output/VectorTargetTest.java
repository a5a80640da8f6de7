package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.npyconv.converter.arrow.ValueWriter;

/**
 * {@link VectorTarget}'s appenders and rollback leave the vectors exactly as {@link ValueWriter}
 * leaves them: rows of a struct of every kind the fast path knows (int64, string, double, list of
 * string, binary, bool, null, a nested struct, a list of lists), with missing fields, None values
 * and None rows, written in the mix {@link TypedSpans} makes: appended, or begun and rolled back
 * part-way (also after buffers grew in the middle of the element) and then written by the general
 * writer, or written by the general writer alone, with {@code setRowCount} every 256 rows as
 * {@code ChunkProducer}'s byte check does. Compared as Arrow IPC bytes, plus the last-set rows.
 */
class VectorTargetTest {
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private static Field field(String name, ArrowType type, Field... children) {
        return new Field(name, FieldType.nullable(type), List.of(children));
    }

    private static Schema schema() {
        ArrowType int64 = new ArrowType.Int(64, true);
        Field struct = field("value", ArrowType.Struct.INSTANCE,
                field("id", int64),
                field("name", ArrowType.Utf8.INSTANCE),
                field("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                field("tags", ArrowType.List.INSTANCE, field("item", ArrowType.Utf8.INSTANCE)),
                field("blob", ArrowType.Binary.INSTANCE),
                field("flag", ArrowType.Bool.INSTANCE),
                field("nothing", ArrowType.Null.INSTANCE),
                field("inner", ArrowType.Struct.INSTANCE, field("k", int64)),
                field("nested", ArrowType.List.INSTANCE, field("item", ArrowType.List.INSTANCE, field("item", int64))));
        return new Schema(List.of(struct));
    }

    private static Object row(Random r, int i) {
        if (r.nextInt(20) == 0) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        maybe(r, m, "id", (long) i * (r.nextBoolean() ? 1 : -7919));
        maybe(r, m, "name", "n" + i + "ü".repeat(r.nextInt(3)) + "x".repeat(r.nextInt(80)));
        maybe(r, m, "score", r.nextInt(10) == 0 ? Double.NaN : i / 7.0);
        List<Object> tags = new ArrayList<>();
        for (int k = r.nextInt(5); k > 0; k--) {
            tags.add(r.nextInt(8) == 0 ? null : "t" + r.nextInt(50));
        }
        maybe(r, m, "tags", tags);
        byte[] blob = new byte[r.nextInt(12)];
        r.nextBytes(blob);
        maybe(r, m, "blob", blob);
        maybe(r, m, "flag", r.nextBoolean());
        if (r.nextBoolean()) {
            m.put("nothing", null);
        }
        maybe(r, m, "inner", r.nextInt(5) == 0 ? null : Map.of("k", (long) i));
        List<Object> nested = new ArrayList<>();
        // Now and then a long list, so that buffers grow in the middle of an element.
        int lists = r.nextInt(40) == 0 ? 300 : r.nextInt(3);
        for (int k = 0; k < lists; k++) {
            List<Object> inner = new ArrayList<>();
            for (int j = r.nextInt(k % 7 + 1); j > 0; j--) {
                inner.add(r.nextInt(9) == 0 ? null : (long) j);
            }
            nested.add(r.nextInt(10) == 0 ? null : inner);
        }
        maybe(r, m, "nested", nested);
        return m;
    }

    private static void maybe(Random r, Map<String, Object> m, String key, Object value) {
        int dice = r.nextInt(10);
        if (dice == 0) {
            return;
        }
        m.put(key, dice == 1 ? null : value);
    }

    /** Thrown by {@link #append} when its budget of values runs out: an element that stops fitting halfway. */
    private static final class Misfit extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private int budget;

    /** What TypedSpans does for each decoded value. */
    private void append(VectorTarget t, Object v) {
        if (budget-- == 0) {
            throw new Misfit();
        }
        if (v == null) {
            t.appendNull();
        } else if (v instanceof Map) {
            t.appendStruct();
            Map<?, ?> m = (Map<?, ?>) v;
            for (int f = 0; f < t.children.length; f++) {
                String name = new String(t.names[f], StandardCharsets.UTF_8);
                // A missing field is a null too (and counts against the budget like any value).
                append(t.children[f], m.get(name));
            }
        } else if (v instanceof List) {
            for (Object item : (List<?>) v) {
                append(t.children[0], item);
            }
            t.appendList();
        } else if (v instanceof String) {
            byte[] b = ("<" + v + ">").getBytes(StandardCharsets.UTF_8);
            t.appendBytes(b, 1, b.length - 2);
        } else if (v instanceof byte[]) {
            t.appendBytes((byte[]) v, 0, ((byte[]) v).length);
        } else if (v instanceof Long) {
            t.appendWord((Long) v);
        } else if (v instanceof Double) {
            t.appendWord(Double.doubleToRawLongBits((Double) v));
        } else if (v instanceof Boolean) {
            t.appendBool((Boolean) v);
        } else {
            throw new IllegalArgumentException(String.valueOf(v));
        }
    }

    private byte[] ipc(VectorSchemaRoot root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrowStreamWriter w = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
            w.writeBatch();
        }
        return out.toByteArray();
    }

    private static List<Integer> lastSets(FieldVector v, List<Integer> out) {
        if (v instanceof BaseVariableWidthVector) {
            out.add(((BaseVariableWidthVector) v).getLastSet());
        } else if (v instanceof ListVector) {
            out.add(((ListVector) v).getLastSet());
        }
        for (FieldVector c : v.getChildrenFromFields()) {
            lastSets(c, out);
        }
        return out;
    }

    @Test
    void appendsAndRollbacksLeaveWhatValueWriterLeaves() throws IOException {
        long rolledBack = 0;
        long appended = 0;
        for (int seed = 0; seed < 6; seed++) {
            Random r = new Random(seed);
            int rows = 3000 + 1000 * seed;
            try (VectorSchemaRoot expected = VectorSchemaRoot.create(schema(), allocator);
                 VectorSchemaRoot actual = VectorSchemaRoot.create(schema(), allocator)) {
                expected.getVector(0).allocateNew();
                FieldVector column = actual.getVector(0);
                if (seed % 2 == 1) {
                    // Pre-sized, as TypedSpans sizes a new chunk; the even seeds grow from Arrow's default.
                    column.setInitialCapacity(rows);
                }
                column.allocateNew();
                ValueWriter reference = ValueWriter.of(expected.getVector(0));
                ValueWriter general = ValueWriter.of(column);
                VectorTarget target = VectorTarget.of(column);
                VectorTarget[] all = target.all();
                boolean trusted = false;
                for (int i = 0; i < rows; i++) {
                    Object v = row(r, i);
                    int dice = r.nextInt(8);
                    // After a misfit the general writer may see a different value (a null row here), so
                    // the rollback must leave the slots as never written, not merely overwritable.
                    Object redo = dice == 1 && v != null && r.nextInt(3) == 0 ? null : v;
                    reference.write(i, redo);
                    if (i % 256 == 0) {
                        actual.setRowCount(i);
                        assertTrue(!trusted || target.current(), "setRowCount moved a buffer");
                    }
                    if (dice == 0) {
                        general.write(i, v);
                        trusted = false;
                        continue;
                    }
                    if (!trusted || target.count != i) {
                        target.load(i);
                    }
                    for (VectorTarget t : all) {
                        t.mark();
                    }
                    // Mostly early misfits; now and then one deep in a long element, after its buffers grew.
                    budget = dice != 1 ? -1 : redo == null ? r.nextInt(9) : r.nextInt(r.nextInt(10) == 0 ? 1500 : 25);
                    try {
                        append(target, v);
                        for (VectorTarget t : all) {
                            t.finish();
                        }
                        trusted = true;
                        appended++;
                        if (redo != v) {
                            throw new AssertionError("only a misfit may be redone differently");
                        }
                    } catch (Misfit e) {
                        for (VectorTarget t : all) {
                            t.rollback();
                        }
                        general.write(i, redo);
                        trusted = false;
                        rolledBack++;
                    }
                }
                expected.setRowCount(rows);
                actual.setRowCount(rows);
                assertEquals(lastSets(expected.getVector(0), new ArrayList<>()), lastSets(column, new ArrayList<>()), "seed " + seed);
                assertArrayEquals(ipc(expected), ipc(actual), "seed " + seed);
            }
        }
        assertTrue(rolledBack > 500 && appended > 10_000, rolledBack + " rolled back, " + appended + " appended");
    }
}
