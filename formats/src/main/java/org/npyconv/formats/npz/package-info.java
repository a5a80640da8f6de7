/**
 * {@code .npz} archives (docs/npz.md): the zip central directory ({@link org.npyconv.formats.npz.ZipCentralDirectory},
 * ZIP64 included), members seen as channels of their {@code .npy} bytes — stored members in place
 * ({@link org.npyconv.formats.npz.FileRegion}), deflated members through a pure-Java decoder that
 * re-enters the stream at recorded checkpoints ({@link org.npyconv.formats.npz.InflatedMember},
 * {@link org.npyconv.formats.npz.InflateCheckpoints}) — so the rest of npyconv reads a member
 * exactly as it reads a file.
 */
package org.npyconv.formats.npz;
