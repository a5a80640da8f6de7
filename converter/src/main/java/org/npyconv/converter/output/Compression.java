package org.npyconv.converter.output;

/** Compression of the output's buffers (Arrow IPC) or pages (Parquet). */
public enum Compression {
    ZSTD, SNAPPY, LZ4, NONE
}
