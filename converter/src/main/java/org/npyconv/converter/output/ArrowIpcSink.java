package org.npyconv.converter.output;

import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Optional;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.npyconv.formats.UnsupportedInputException;

/** Arrow IPC file format through {@link ArrowFileWriter}; one record batch per chunk. Borrows root and channel; chunks held by other roots are moved into it (zero-copy) before each batch. */
final class ArrowIpcSink implements ChunkSink {
    private final ArrowFileWriter writer;
    private final VectorSchemaRoot root;

    ArrowIpcSink(VectorSchemaRoot root, FileChannel channel, Compression compression) throws IOException {
        CompressionCodec.Factory factory;
        CompressionUtil.CodecType codec;
        switch (compression) {
            case ZSTD:
                factory = ZstdBodyCodec.FACTORY;
                codec = CompressionUtil.CodecType.ZSTD;
                break;
            case NONE:
                factory = NoCompressionCodec.Factory.INSTANCE;
                codec = CompressionUtil.CodecType.NO_COMPRESSION;
                break;
            default:
                // Arrow IPC knows only LZ4_FRAME and ZSTD; Arrow Java's LZ4_FRAME writer takes minutes for 300k rows.
                throw new UnsupportedInputException("Arrow IPC output supports --compression zstd or none, not "
                        + compression.name().toLowerCase(java.util.Locale.ROOT), null, -1, null);
        }
        this.root = root;
        writer = new ArrowFileWriter(root, null, channel, null, IpcOption.DEFAULT, factory, codec, Optional.empty());
        writer.start();
    }

    @Override
    public void writeChunk(VectorSchemaRoot chunk) throws IOException {
        if (chunk != root) {
            // Zero-copy: the chunk's buffers move to the writer's root (storage vectors, so that
            // extension types move too); the chunk is left empty.
            for (int c = 0; c < chunk.getFieldVectors().size(); c++) {
                storage(chunk.getVector(c)).makeTransferPair(storage(root.getVector(c))).transfer();
            }
            root.setRowCount(chunk.getRowCount());
        }
        writer.writeBatch();
    }

    private static FieldVector storage(FieldVector v) {
        return v instanceof ExtensionTypeVector ? (FieldVector) ((ExtensionTypeVector<?>) v).getUnderlyingVector() : v;
    }

    @Override
    public void finish() throws IOException {
        writer.end();
    }

    @Override
    public void close() {
        writer.close();
    }
}
