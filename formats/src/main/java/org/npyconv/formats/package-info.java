/**
 * Bytes and file formats: the {@code .npy} header ({@code org.npyconv.formats.npy}), the pickle
 * opcode reader ({@code org.npyconv.formats.pickle}), {@code .npz} archives and deflate
 * checkpoints ({@code org.npyconv.formats.npz}) and the project's exception hierarchy.
 * Knows nothing of Arrow, Parquet or the command line.
 */
package org.npyconv.formats;
