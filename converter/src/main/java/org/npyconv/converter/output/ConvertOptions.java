package org.npyconv.converter.output;

import java.util.Objects;
import java.util.function.LongConsumer;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.formats.Durability;

/**
 * How to convert: container, chunk bounds, compression, what to do with mixed columns. Immutable.
 *
 * @param rowsPerChunk  most rows per record batch / row group
 * @param maxChunkBytes a chunk is closed early once its Arrow buffers exceed this many bytes
 * @param version       the npyconv version recorded in the schema metadata
 * @param progress      told the number of elements written so far, now and then
 * @param jsonAlways    write every column as JSON text, mixed or not (for checking the JSON encoding)
 * @param threads       threads that evaluate and encode chunks in parallel (the output does not depend on it)
 * @param durability    whether the output is forced to the disk before and after its rename (default: not)
 */
public record ConvertOptions(OutputFormat format, int rowsPerChunk, long maxChunkBytes, Compression compression,
                             OnMixed onMixed, String version, LongConsumer progress, boolean jsonAlways,
                             int threads, Durability durability) {
    public static final int DEFAULT_ROWS_PER_CHUNK = 65_536;
    public static final long DEFAULT_MAX_CHUNK_BYTES = 64L << 20;

    public ConvertOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(onMixed, "onMixed");
        Objects.requireNonNull(durability, "durability");
        if (rowsPerChunk < 1) {
            throw new IllegalArgumentException("rows per chunk must be at least 1");
        }
        if (maxChunkBytes < 1) {
            throw new IllegalArgumentException("chunk byte bound must be positive");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        version = version == null ? "unknown" : version;
        progress = progress == null ? n -> { } : progress;
    }

    public static ConvertOptions of(OutputFormat format) {
        return new ConvertOptions(format, DEFAULT_ROWS_PER_CHUNK, DEFAULT_MAX_CHUNK_BYTES, Compression.ZSTD, OnMixed.ERROR,
                null, null, false, defaultThreads(), Durability.RENAME);
    }

    public ConvertOptions withRowsPerChunk(int rows) {
        return new ConvertOptions(format, rows, maxChunkBytes, compression, onMixed, version, progress, jsonAlways, threads, durability);
    }

    public ConvertOptions withCompression(Compression c) {
        return new ConvertOptions(format, rowsPerChunk, maxChunkBytes, c, onMixed, version, progress, jsonAlways, threads, durability);
    }

    public ConvertOptions withOnMixed(OnMixed m) {
        return new ConvertOptions(format, rowsPerChunk, maxChunkBytes, compression, m, version, progress, jsonAlways, threads, durability);
    }

    public ConvertOptions withVersion(String v) {
        return new ConvertOptions(format, rowsPerChunk, maxChunkBytes, compression, onMixed, v, progress, jsonAlways, threads, durability);
    }

    public ConvertOptions withProgress(LongConsumer p) {
        return new ConvertOptions(format, rowsPerChunk, maxChunkBytes, compression, onMixed, version, p, jsonAlways, threads, durability);
    }

    public ConvertOptions withJsonAlways(boolean always) {
        return new ConvertOptions(format, rowsPerChunk, maxChunkBytes, compression, onMixed, version, progress, always, threads, durability);
    }

    public ConvertOptions withThreads(int n) {
        return new ConvertOptions(format, rowsPerChunk, maxChunkBytes, compression, onMixed, version, progress, jsonAlways, n, durability);
    }

    /**
     * The available processors, at most 4: chunks are encoded in parallel but written by one thread,
     * so more threads than that mostly hold more chunks in memory.
     */
    public static int defaultThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    public ConvertOptions withMaxChunkBytes(long bytes) {
        return new ConvertOptions(format, rowsPerChunk, bytes, compression, onMixed, version, progress, jsonAlways, threads, durability);
    }

    public ConvertOptions withDurability(Durability d) {
        return new ConvertOptions(format, rowsPerChunk, maxChunkBytes, compression, onMixed, version, progress, jsonAlways, threads, d);
    }
}
