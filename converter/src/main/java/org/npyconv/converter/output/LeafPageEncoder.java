package org.npyconv.converter.output;

import static org.npyconv.converter.output.LeafKind.BYTE;
import static org.npyconv.converter.output.LeafKind.BYTES;
import static org.npyconv.converter.output.LeafKind.DOUBLE;
import static org.npyconv.converter.output.LeafKind.FLOAT;
import static org.npyconv.converter.output.LeafKind.INT;
import static org.npyconv.converter.output.LeafKind.LONG;
import static org.npyconv.converter.output.LeafKind.SHORT;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.io.api.Binary;

/**
 * The pages of one leaf column of a chunk, for a leaf anywhere under structs and lists
 * ({@link LeafPath}): a string, binary, signed int or float/double. Levels come from the path as
 * runs ({@link LevelEncoder}), the defined values are copied PLAIN from the leaf vector span by
 * span, statistics from plain loops over them ({@link PageStatistics}, and the string min/max of
 * {@link BulkPageEncoder}'s kind). Dictionary as parquet-java's writers do it: every chunk starts
 * with one ({@link PageDictionary}, ids in the hybrid encoding after a bit-width byte, pages
 * {@code PLAIN_DICTIONARY}, a {@code PLAIN_DICTIONARY} dictionary page), kept only if on the first
 * page dictionary + ids are smaller than the PLAIN values ({@code isCompressionSatisfying}) and
 * the dictionary stays under 1 MiB; past 1 MiB later on, that page and the rest are PLAIN (the
 * earlier pages keep their ids, as parquet-java's fallback leaves them). Pages close at
 * {@value BulkPageEncoder#PAGE_ROWS} rows or 1 MiB of PLAIN values (parquet-java sizes a
 * dictionary column's pages by its PLAIN size too), at top-level row boundaries. Not thread-safe.
 */
final class LeafPageEncoder {
    /** One data page: level entries, top-level rows, sizes, (compressed) body, statistics, values encoding. */
    record Page(int values, int rows, int uncompressed, BytesInput body, Statistics<?> stats, Encoding encoding) {
    }

    /** A column chunk's pages, its dictionary page (or null) and level entries in all. */
    record Chunk(ColumnDescriptor column, List<Page> pages, DictionaryPage dictionary, long values) {
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int KEEP_BYTES = PageBodies.ONE_CALL_BYTES;

    private final ColumnDescriptor column;
    private final LeafPath path;
    private final int kind;
    private final Class<?> vectorClass;
    private final int arrowWidth;
    /** Bytes of a PLAIN value (0: strings, 4 + length each). */
    private final int plainWidth;
    private final LevelEncoder rep;
    private final LevelEncoder def;
    private final LevelEncoder ids = new LevelEncoder(0);
    private final PageDictionary dictionary;
    private byte[] buf = new byte[1 << 16];
    private int size;
    private int[] idOf = new int[1024];
    private int[] offs = new int[1024];
    private byte[] text = new byte[1 << 12];
    /** The PLAIN size of the page's values (parquet-java's {@code rawDataByteSize}). */
    private long pagePlainBytes;
    /** The distinct ids of a dictionary page of strings: marked with the page's stamp in {@link #seen}. */
    private int[] seen = new int[64];
    private int[] seenIds = new int[64];
    private int seenCount;
    private int stamp;

    private LeafPageEncoder(ColumnDescriptor column, LeafPath path, int kind) {
        this.column = column;
        this.path = path;
        this.kind = kind;
        this.arrowWidth = switch (kind) {
            case DOUBLE, LONG -> 8;
            case FLOAT, INT -> 4;
            case SHORT -> 2;
            case BYTE -> 1;
            default -> 0;
        };
        this.plainWidth = kind == BYTES ? 0 : Math.max(4, arrowWidth);
        this.vectorClass = switch (kind) {
            case DOUBLE -> Float8Vector.class;
            case FLOAT -> Float4Vector.class;
            case LONG -> BigIntVector.class;
            case INT -> IntVector.class;
            case SHORT -> SmallIntVector.class;
            case BYTE -> TinyIntVector.class;
            default -> path.leafField().getType() instanceof ArrowType.Utf8 ? VarCharVector.class : VarBinaryVector.class;
        };
        this.rep = path.maxRepetition > 0 ? new LevelEncoder(path.maxRepetition) : null;
        this.def = new LevelEncoder(path.maxDefinition);
        this.dictionary = new PageDictionary(plainWidth);
    }

    /** Whether pages of a leaf of type {@code t} are encoded here ({@link LeafKind}). */
    static boolean takes(ArrowType t) {
        return LeafKind.of(t) >= 0;
    }

    /** An encoder for the leaf at {@code path}, Parquet column {@code column}; null if their levels disagree. */
    static LeafPageEncoder of(ColumnDescriptor column, LeafPath path) {
        int k = LeafKind.of(path.leafField().getType());
        if (k < 0 || column.getMaxDefinitionLevel() != path.maxDefinition || column.getMaxRepetitionLevel() != path.maxRepetition) {
            return null;
        }
        return new LeafPageEncoder(column, path, k);
    }

    /** Points the encoder at a chunk's top-level vector; false when the vectors are not the schema's. */
    boolean bind(FieldVector top) {
        return path.bind(top, vectorClass);
    }

    /** The column chunk of the bound vector's {@code rows} rows. */
    Chunk encode(int rows, PageBodies bodies) throws IOException {
        List<Page> pages = new ArrayList<>();
        FieldVector leaf = path.leaf();
        ArrowBuf stringOffsets = kind == BYTES && leaf.getValueCount() > 0 ? ((BaseVariableWidthVector) leaf).getOffsetBuffer() : null;
        dictionary.reset();
        boolean dict = true;
        boolean dictUsed = false;
        long entries = 0;
        try {
            int first = 0;
            while (first < rows) {
                int end = pageEnd(stringOffsets, first, rows);
                if (rep != null) {
                    rep.reset();
                }
                def.reset();
                path.levels(first, end, rep, def);
                size = 0;
                if (rep != null) {
                    putLevels(rep);
                }
                putLevels(def);
                int valuesAt = size;
                Statistics<?> stats = Statistics.createStats(column.getPrimitiveType());
                int count = path.values();
                stats.incrementNumNulls(path.entries() - count);
                Encoding encoding = Encoding.PLAIN;
                if (dict && first == 0 && count == 0) {
                    // parquet-java's test on an empty first page: ids + dictionary < 0 PLAIN bytes fails.
                    dict = false;
                }
                if (kind != BYTES) {
                    fixed(leaf);
                    PageStatistics.extremes(stats, buf, valuesAt, count);
                }
                if (dict) {
                    boolean ok = kind == BYTES ? stringIds(leaf, count, first == 0) : numberIds(valuesAt, count, first == 0);
                    if (ok && (first > 0 || 1 + ids.size() + dictionary.byteSize() < pagePlainBytes)) {
                        size = valuesAt;
                        ensure(1 + ids.size());
                        buf[size++] = (byte) idWidth();
                        System.arraycopy(ids.bytes(), 0, buf, size, ids.size());
                        size += ids.size();
                        encoding = Encoding.PLAIN_DICTIONARY;
                        dictUsed = true;
                        if (kind == BYTES) {
                            stringExtremes(stats);
                        }
                    } else {
                        // parquet-java falls back to PLAIN for the chunk (first page) or from this page on.
                        dict = false;
                    }
                }
                if (kind == BYTES && encoding == Encoding.PLAIN) {
                    size = valuesAt;
                    strings(leaf, stats);
                }
                pages.add(new Page(path.entries(), end - first, size, bodies.compress(buf, size), stats, encoding));
                entries += path.entries();
                first = end;
            }
            DictionaryPage dictionaryPage = null;
            if (dictUsed) {
                dictionaryPage = new DictionaryPage(bodies.compress(dictionary.bytes(), dictionary.byteSize()),
                        dictionary.byteSize(), dictionary.size(), Encoding.PLAIN_DICTIONARY);
            }
            return new Chunk(column, pages, dictionaryPage, entries);
        } finally {
            if (buf.length > KEEP_BYTES) {
                buf = new byte[1 << 16];
            }
            if (text.length > KEEP_BYTES) {
                text = new byte[1 << 12];
            }
            if (idOf.length > BulkPageEncoder.PAGE_ROWS * 16) {
                idOf = new int[1024];
            }
            path.trim();
        }
    }

    /** Bit width of the ids: that of the largest id so far, as parquet-java's writer takes it at each page. */
    private int idWidth() {
        return 32 - Integer.numberOfLeadingZeros(Math.max(0, dictionary.size() - 1));
    }

    /**
     * The ids of the page's {@code count} PLAIN numbers at {@code valuesAt} into {@link #ids};
     * false when the dictionary passes its limit (parquet-java then falls back to PLAIN from this
     * page on), or, on the first page, as soon as the distinct values alone reach the PLAIN size
     * (the dictionary cannot pay then).
     */
    private boolean numberIds(int valuesAt, int count, boolean firstPage) {
        pagePlainBytes = size - valuesAt;
        long limit = firstPage ? Math.min(pagePlainBytes, PageDictionary.MAX_BYTES + 1L) : PageDictionary.MAX_BYTES + 1L;
        int[] idOf = ids(count);
        for (int j = 0; j < count; j++) {
            int at = valuesAt + j * plainWidth;
            long bits = plainWidth == 8 ? (long) LONGS.get(buf, at) : (int) INTS.get(buf, at) & 0xFFFFFFFFL;
            idOf[j] = dictionary.id(bits);
            if (dictionary.byteSize() >= limit) {
                return false;
            }
        }
        encodeIds(count);
        return true;
    }

    /**
     * The ids of the page's {@code count} strings, read span by span from the leaf vector (no
     * PLAIN copy: a dictionary column's pages hold only ids), the distinct ones of the page noted
     * for its statistics; false as {@link #numberIds}.
     */
    private boolean stringIds(FieldVector leaf, int count, boolean firstPage) {
        BaseVariableWidthVector v = (BaseVariableWidthVector) leaf;
        ArrowBuf offsets = v.getOffsetBuffer();
        int[] spans = path.spans();
        long plainBytes = 0;
        for (int s = 0; s < path.spanCount(); s++) {
            int from = spans[2 * s];
            int to = spans[2 * s + 1];
            plainBytes += offsets.getInt((long) to * 4) - offsets.getInt((long) from * 4) + 4L * (to - from);
        }
        pagePlainBytes = plainBytes;
        long limit = firstPage ? Math.min(plainBytes, PageDictionary.MAX_BYTES + 1L) : PageDictionary.MAX_BYTES + 1L;
        int[] idOf = ids(count);
        stamp++;
        seenCount = 0;
        int j = 0;
        for (int s = 0; s < path.spanCount(); s++) {
            int first = spans[2 * s];
            int n = spans[2 * s + 1] - first;
            int base = spanBytes(v, first, n);
            byte[] src = base < 0 ? null : text;
            for (int k = 0; k < n; k++) {
                int start = offs[k] - base;
                int len = offs[k + 1] - offs[k];
                int id = src == null ? directId(v, offs[k], len) : dictionary.id(src, start, len);
                idOf[j++] = id;
                if (dictionary.byteSize() >= limit) {
                    return false;
                }
                if (id >= seen.length) {
                    seen = Arrays.copyOf(seen, Math.max(id + 1, seen.length * 2));
                }
                if (seen[id] != stamp) {
                    seen[id] = stamp;
                    if (seenCount == seenIds.length) {
                        seenIds = Arrays.copyOf(seenIds, seenCount * 2);
                    }
                    seenIds[seenCount++] = id;
                }
            }
        }
        encodeIds(count);
        return true;
    }

    /** The id of a string of a span too big for {@link #text} (rows of huge values), copied alone. */
    private int directId(BaseVariableWidthVector v, int start, int len) {
        byte[] one = len <= KEEP_BYTES ? text : new byte[len];
        if (one.length < len) {
            one = text = new byte[Math.max(len, 1 << 12)];
        }
        v.getDataBuffer().getBytes(start, one, 0, len);
        return dictionary.id(one, 0, len);
    }

    /** Min and max of the page's distinct strings (a dictionary page: {@link #stringIds} noted them). */
    private void stringExtremes(Statistics<?> stats) {
        if (seenCount == 0) {
            return;
        }
        byte[] d = dictionary.bytes();
        int min = seenIds[0];
        int max = min;
        for (int k = 1; k < seenCount; k++) {
            int id = seenIds[k];
            if (compareEntries(d, id, min) < 0) {
                min = id;
            }
            if (compareEntries(d, id, max) > 0) {
                max = id;
            }
        }
        for (int id : new int[] {min, max}) {
            int at = dictionary.stringAt(id);
            int len = Math.min(PlainStrings.lengthAt(d, at - 4), PlainStrings.STATS_PREFIX);
            stats.updateStats(Binary.fromConstantByteArray(Arrays.copyOfRange(d, at, at + len)));
        }
    }

    private int compareEntries(byte[] d, int a, int b) {
        int at = dictionary.stringAt(a);
        int bt = dictionary.stringAt(b);
        return Arrays.compareUnsigned(d, at, at + PlainStrings.lengthAt(d, at - 4), d, bt, bt + PlainStrings.lengthAt(d, bt - 4));
    }

    private int[] ids(int count) {
        if (idOf.length < count) {
            idOf = new int[Math.max(count, idOf.length * 2)];
        }
        return idOf;
    }

    /** The page's ids in the hybrid encoding, at the bit width of the dictionary so far. */
    private void encodeIds(int count) {
        ids.reset(Math.max(0, dictionary.size() - 1));
        for (int j = 0; j < count; j++) {
            ids.add(idOf[j]);
        }
        ids.finish();
    }

    /**
     * A span's offsets into {@link #offs} and, unless over 4 MiB, its bytes into {@link #text}:
     * value k is then {@code text[offs[k] - base, offs[k + 1] - base)}, {@code base} the value
     * returned; -1 for a span over 4 MiB, whose values are read one by one.
     */
    private int spanBytes(BaseVariableWidthVector v, int first, int n) {
        if (offs.length < n + 1) {
            offs = new int[Math.max(n + 1, offs.length * 2)];
        }
        ArrowBuf offsets = v.getOffsetBuffer();
        if (n < 8) {
            // A short span (values between nulls): no buffer view for it.
            for (int k = 0; k <= n; k++) {
                offs[k] = offsets.getInt((long) (first + k) * 4);
            }
        } else {
            offsets.nioBuffer((long) first * 4, (n + 1) * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(offs, 0, n + 1);
        }
        int base = offs[0];
        int bytes = offs[n] - base;
        if (bytes > KEEP_BYTES) {
            return -1;
        }
        if (text.length < bytes) {
            text = new byte[Math.max(bytes, text.length * 2)];
        }
        v.getDataBuffer().getBytes(base, text, 0, bytes);
        return base;
    }

    /** Where the page from top-level row {@code first} ends: {@value BulkPageEncoder#PAGE_ROWS} rows or about 1 MiB of PLAIN values. */
    private int pageEnd(ArrowBuf stringOffsets, int first, int rows) {
        int limit = (int) Math.min(rows, (long) first + BulkPageEncoder.PAGE_ROWS);
        int base = path.leafIndex(first);
        int baseBytes = stringOffsets == null ? 0 : stringOffsets.getInt((long) base * 4);
        int lo = first + 1;
        int hi = limit;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int leafEnd = path.leafIndex(mid);
            long bytes = kind == BYTES
                    ? (stringOffsets == null ? 0 : stringOffsets.getInt((long) leafEnd * 4) - baseBytes) + 4L * (leafEnd - base)
                    : (long) (leafEnd - base) * plainWidth;
            if (bytes >= BulkPageEncoder.PAGE_BYTES) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** A v1 page's level stream: its byte length (4 bytes, little-endian), then the hybrid encoding. */
    private void putLevels(LevelEncoder levels) {
        ensure(4 + levels.size());
        putInt(levels.size());
        System.arraycopy(levels.bytes(), 0, buf, size, levels.size());
        size += levels.size();
    }

    /** PLAIN values of the page's spans (narrow ints widened to int32). */
    private void fixed(FieldVector leaf) {
        ArrowBuf data = leaf.getDataBuffer();
        int[] spans = path.spans();
        for (int s = 0; s < path.spanCount(); s++) {
            int from = spans[2 * s];
            int n = spans[2 * s + 1] - from;
            ensure((long) n * plainWidth);
            if (arrowWidth == plainWidth) {
                data.getBytes((long) from * arrowWidth, buf, size, n * arrowWidth);
                size += n * arrowWidth;
            } else {
                for (int i = from; i < from + n; i++) {
                    putInt(kind == SHORT ? data.getShort((long) i * 2) : data.getByte(i));
                }
            }
        }
    }

    /**
     * PLAIN strings (length, bytes) of the page's spans, with their min and max (unsigned
     * lexicographic, compared on an 8-byte big-endian prefix first). Each span's offsets and bytes
     * are read from the Arrow buffers in two bulk copies; a span of over 4 MiB is copied value by
     * value (no second heap copy of huge values).
     */
    private void strings(FieldVector leaf, Statistics<?> stats) {
        BaseVariableWidthVector v = (BaseVariableWidthVector) leaf;
        int[] spans = path.spans();
        int min = -1;
        int max = -1;
        long minKey = 0;
        long maxKey = 0;
        for (int s = 0; s < path.spanCount(); s++) {
            int first = spans[2 * s];
            int n = spans[2 * s + 1] - first;
            int base = spanBytes(v, first, n);
            boolean direct = base < 0;
            int bytes = offs[n] - offs[0];
            ensure(bytes + 4L * n);
            for (int k = 0; k < n; k++) {
                int len = offs[k + 1] - offs[k];
                int at = size;
                putInt(len);
                if (direct) {
                    v.getDataBuffer().getBytes(offs[k], buf, size, len);
                } else {
                    System.arraycopy(text, offs[k] - offs[0], buf, size, len);
                }
                size += len;
                long key = PlainStrings.prefix(buf, at + 4, len);
                if (min < 0) {
                    min = at;
                    max = at;
                    minKey = key;
                    maxKey = key;
                    continue;
                }
                int toMin = Long.compareUnsigned(key, minKey);
                if (toMin < 0 || toMin == 0 && PlainStrings.compare(buf, at, min) < 0) {
                    min = at;
                    minKey = key;
                }
                int toMax = Long.compareUnsigned(key, maxKey);
                if (toMax > 0 || toMax == 0 && PlainStrings.compare(buf, at, max) > 0) {
                    max = at;
                    maxKey = key;
                }
            }
        }
        if (offs.length > BulkPageEncoder.PAGE_ROWS * 16) {
            offs = new int[1024];
        }
        if (min >= 0) {
            // At most the first 64 KiB, as BulkPageEncoder keeps (the file is the same: the footer
            // drops min/max over 4 KiB, the column index keeps 64 bytes).
            stats.updateStats(Binary.fromConstantByteArray(Arrays.copyOfRange(buf, min + 4, min + 4 + PlainStrings.statsLength(buf, min))));
            stats.updateStats(Binary.fromConstantByteArray(Arrays.copyOfRange(buf, max + 4, max + 4 + PlainStrings.statsLength(buf, max))));
        }
    }

    private void putInt(int x) {
        buf[size] = (byte) x;
        buf[size + 1] = (byte) (x >>> 8);
        buf[size + 2] = (byte) (x >>> 16);
        buf[size + 3] = (byte) (x >>> 24);
        size += 4;
    }

    private void ensure(long more) {
        long need = size + more;
        if (need > buf.length) {
            if (need > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a Parquet page over 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 16L, buf.length * 2L)));
        }
    }
}
