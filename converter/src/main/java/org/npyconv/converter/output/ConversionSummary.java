package org.npyconv.converter.output;

import org.apache.arrow.vector.types.pojo.Field;

/** What a conversion wrote: rows, chunks (record batches or row groups), output bytes, wall time, the column. */
public record ConversionSummary(long rows, int chunks, long bytes, double seconds, Field column, boolean json) {
}
