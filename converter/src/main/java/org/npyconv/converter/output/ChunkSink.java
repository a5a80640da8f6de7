package org.npyconv.converter.output;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Where finished chunks go. Borrows the root it is given; {@link #finish} completes the file.
 *
 * <p>A sink whose encoding is the expensive part (Parquet) can take it off the writing thread:
 * when {@link #encodesInWorkers} is true, the {@link ChunkProducer} calls {@link #encode} on its
 * worker thread right after making each chunk (and frees the chunk's vectors), then hands the
 * results to {@link #writeEncoded} on the writing thread in chunk order.
 */
interface ChunkSink extends AutoCloseable {
    void writeChunk(VectorSchemaRoot root) throws IOException;

    void finish() throws IOException;

    @Override
    void close() throws IOException;

    /** A chunk encoded by {@link #encode}, owned by its holder until written or closed. */
    interface Encoded extends AutoCloseable {
        int rows();

        @Override
        void close();
    }

    default boolean encodesInWorkers() {
        return false;
    }

    /** Encodes {@code root} (borrowed) for {@link #writeEncoded}; thread-safe. */
    default Encoded encode(VectorSchemaRoot root) throws IOException {
        throw new UnsupportedOperationException("this sink writes roots");
    }

    /** Appends a chunk made by {@link #encode} (still owned by the caller, who closes it). */
    default void writeEncoded(Encoded chunk) throws IOException {
        throw new UnsupportedOperationException("this sink writes roots");
    }
}
