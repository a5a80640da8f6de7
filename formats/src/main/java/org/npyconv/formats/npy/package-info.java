/**
 * The {@code .npy} header: {@link org.npyconv.formats.npy.NpyHeader} reads and validates the magic
 * string, format version (1.0, 2.0, 3.0) and the header dict, and
 * {@link org.npyconv.formats.npy.Dtype} models the dtype its {@code descr} names.
 *
 * <p>The header dict is parsed by a small Python-literal parser, never evaluated. What is accepted,
 * the limits and the error offsets are specified in {@code docs/npy-header.md}.
 */
package org.npyconv.formats.npy;
