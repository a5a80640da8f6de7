package org.npyconv.formats;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a finished output survives. Every output is written under a temporary name and renamed
 * into place ({@link ReplacingFile}), so a failed, interrupted or killed run never leaves a partial
 * file at the target, whichever is chosen here; the choice is only about an operating-system crash
 * or power loss in the seconds after the run, while the written data is still in the page cache.
 *
 * <p>{@link #RENAME} is the default, as for {@code np.save}, pyarrow's writers, {@code cp},
 * {@code gzip} and {@code samtools index}: forcing hundreds of megabytes to the disk before the
 * rename made a conversion wait for the disk for up to a second after its work was done
 * (docs/converter.md, "Atomic output"). {@link #FSYNC} is {@code --fsync} on the command line.
 */
public enum Durability {
    /** Atomic rename only; the kernel writes the data back in its own time. */
    RENAME,
    /** The file's data forced to the disk before the rename, and the directory entry after it. */
    FSYNC;

    /** Forces {@code channel}'s data and metadata to the disk under {@link #FSYNC}; nothing otherwise. */
    public void force(FileChannel channel) throws IOException {
        if (this == FSYNC) {
            channel.force(true);
        }
    }

    /** {@link #force(FileChannel)} for a file that is closed (written by a library that owns its stream). */
    public void force(Path file) throws IOException {
        if (this == FSYNC) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
    }
}
