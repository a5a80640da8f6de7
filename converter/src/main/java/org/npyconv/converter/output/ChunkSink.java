package org.npyconv.converter.output;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Where finished chunks go. Borrows the root it is given; {@link #finish} completes the file. */
interface ChunkSink extends AutoCloseable {
    void writeChunk(VectorSchemaRoot root) throws IOException;

    void finish() throws IOException;

    @Override
    void close() throws IOException;
}
