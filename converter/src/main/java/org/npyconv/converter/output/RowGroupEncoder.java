package org.npyconv.converter.output;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.MessageType;

/**
 * A chunk's row group as pages encoded leaf by leaf ({@link LeafPageEncoder}), for schemas whose
 * columns are built of structs, lists and string/binary/signed int/float leaves only (dicts of
 * str/int/float/list of str, the shape of most dict columns). The column writers' alternative
 * ({@link Shredder}) takes every value through a virtual call, a dictionary attempt and a
 * statistics update per leaf. Not thread-safe: one per encoding task.
 */
final class RowGroupEncoder {
    /** Per leaf column, in Parquet order: the top-level column it belongs to and its encoder. */
    private final int[] topLevel;
    private final LeafPageEncoder[] leaves;

    private RowGroupEncoder(int[] topLevel, LeafPageEncoder[] leaves) {
        this.topLevel = topLevel;
        this.leaves = leaves;
    }

    /** An encoder for {@code schema} written as {@code parquet}, or null when a column has another shape. */
    static RowGroupEncoder of(Schema schema, MessageType parquet) {
        List<ColumnDescriptor> columns = parquet.getColumns();
        List<Integer> top = new ArrayList<>();
        List<LeafPageEncoder> encoders = new ArrayList<>();
        for (int f = 0; f < schema.getFields().size(); f++) {
            Field field = schema.getFields().get(f);
            List<LeafPath> paths = LeafPath.of(field, LeafPageEncoder::takes);
            if (paths == null) {
                return null;
            }
            for (LeafPath p : paths) {
                if (encoders.size() >= columns.size()) {
                    return null;
                }
                LeafPageEncoder e = LeafPageEncoder.of(columns.get(encoders.size()), p);
                if (e == null) {
                    return null;
                }
                encoders.add(e);
                top.add(f);
            }
        }
        if (encoders.size() != columns.size()) {
            return null;
        }
        return new RowGroupEncoder(top.stream().mapToInt(Integer::intValue).toArray(), encoders.toArray(new LeafPageEncoder[0]));
    }

    /**
     * The column chunks of {@code root}'s rows, compressed, or null when its vectors are not the
     * classes the schema promises (then the column writers take the chunk).
     */
    List<LeafPageEncoder.Chunk> encode(VectorSchemaRoot root, PageBodies bodies) throws IOException {
        List<FieldVector> vectors = root.getFieldVectors();
        for (int c = 0; c < leaves.length; c++) {
            if (!leaves[c].bind(vectors.get(topLevel[c]))) {
                return null;
            }
        }
        List<LeafPageEncoder.Chunk> chunks = new ArrayList<>(leaves.length);
        for (LeafPageEncoder leaf : leaves) {
            chunks.add(leaf.encode(root.getRowCount(), bodies));
        }
        return chunks;
    }
}
