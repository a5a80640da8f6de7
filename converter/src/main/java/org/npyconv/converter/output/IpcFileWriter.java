package org.npyconv.converter.output;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import com.google.flatbuffers.FlatBufferBuilder;
import org.apache.arrow.flatbuf.Endianness;
import org.apache.arrow.util.Collections2;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowBuffer;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.FBSerializables;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.DictionaryUtility;

/**
 * The Arrow IPC <em>file</em> format written message by message, with each record batch's body
 * supplied by the caller instead of read out of Arrow vectors, so that body bytes can go from the
 * input file to the output file without passing through Java ({@link BulkIpcConversion}).
 *
 * <p>Record batch headers are serialized by Arrow Java's own {@link MessageSerializer}; the schema
 * and the footer are built with Arrow's flatbuffer classes in exactly the calls {@code Schema.getSchema}
 * and {@code ArrowFooter.writeTo} make, because the {@code Schema} class costs a tenth of a second
 * of start-up (its static initializer builds a Jackson {@code ObjectMapper}) — as much as copying
 * 100 MB here. The framing (magic, continuation markers, 8-byte padding, end-of-stream marker)
 * follows {@code ArrowFileWriter} step by step, so for the same batches the file is byte-for-byte
 * what {@code ArrowFileWriter} writes ({@code BulkIpcTest}). Writes go to the borrowed channel at
 * its current position, which must be 0 at construction; not thread-safe.
 */
final class IpcFileWriter {
    private static final byte[] MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};
    private static final int CONTINUATION = -1;
    private static final int PREFIX_BYTES = 8; // continuation marker + metadata length (not the legacy format)

    /** Writes one buffer of a batch's body: exactly {@code size} bytes at the channel's position. */
    @FunctionalInterface
    interface BodyBuffer {
        void write(int index, long size) throws IOException;
    }

    private final FileChannel out;
    private final List<Field> fields;
    private final Map<String, String> metadata;
    private final IpcOption option = IpcOption.DEFAULT;
    private final List<ArrowBlock> batches = new ArrayList<>();
    private final ByteBuffer zeros = ByteBuffer.allocate(8);
    private long position;

    /** Starts the file: magic, padding, and the schema message of {@code fields} and {@code metadata}. */
    IpcFileWriter(FileChannel out, List<Field> fields, Map<String, String> metadata) throws IOException {
        this.out = out;
        this.fields = messageFormat(fields);
        // As Schema's constructor: its copy (a HashMap) fixes the order the keys are written in.
        this.metadata = Collections2.immutableMapCopy(metadata);
        write(ByteBuffer.wrap(MAGIC));
        align();
        FlatBufferBuilder builder = new FlatBufferBuilder();
        ByteBuffer schemaMessage = MessageSerializer.serializeMessage(builder, MessageHeader.Schema, schemaTable(builder), 0, option);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        // Position-independent: a message starts 8-byte aligned and pads itself to a multiple of 8.
        MessageSerializer.writeMessageBuffer(new WriteChannel(Channels.newChannel(message)), schemaMessage.remaining(),
                schemaMessage, option);
        write(ByteBuffer.wrap(message.toByteArray()));
    }

    /**
     * Writes the header of {@code batch} (its node and buffer layout; the buffers' contents are
     * never read), then its body: {@code body} is asked for each buffer in layout order and must
     * write exactly the layout's size; padding between and after buffers is written here.
     */
    void writeBatch(ArrowRecordBatch batch, BodyBuffer body) throws IOException {
        long start = position;
        ByteBuffer metadata = MessageSerializer.serializeMetadata(batch, option);
        int metadataLength = metadata.remaining();
        // As MessageSerializer.serialize: the padded length makes the body start 8-byte aligned.
        int misalignment = (int) ((start + metadataLength + PREFIX_BYTES) % 8);
        if (misalignment != 0) {
            metadataLength += 8 - misalignment;
        }
        writeInt(CONTINUATION);
        writeInt(metadataLength);
        write(metadata);
        align();
        long bodyStart = position;
        List<ArrowBuffer> layout = batch.getBuffersLayout();
        for (int i = 0; i < layout.size(); i++) {
            ArrowBuffer buffer = layout.get(i);
            padTo(bodyStart + buffer.getOffset());
            body.write(i, buffer.getSize());
            position += buffer.getSize();
            if (out.position() != position) {
                throw new IllegalStateException("body buffer " + i + " of " + buffer.getSize() + " bytes ended at "
                        + out.position() + ", expected " + position);
            }
        }
        align();
        batches.add(new ArrowBlock(start, metadataLength + PREFIX_BYTES, position - bodyStart));
    }

    /** Record batches written so far. */
    int batches() {
        return batches.size();
    }

    /** Ends the file: end-of-stream marker, footer (schema and batch index), footer length, magic. */
    void finish() throws IOException {
        writeInt(CONTINUATION);
        writeInt(0);
        ByteBuffer footer = WriteChannel.serialize(this::footerTable);
        int length = footer.remaining();
        write(footer);
        writeInt(length);
        write(ByteBuffer.wrap(MAGIC));
    }

    /** The fields as ArrowFileWriter writes them: in message format (no dictionaries here). */
    private static List<Field> messageFormat(List<Field> fields) {
        List<Field> converted = new ArrayList<>();
        DictionaryProvider none = new DictionaryProvider.MapDictionaryProvider();
        for (Field f : fields) {
            converted.add(DictionaryUtility.toMessageFormat(f, none, new HashSet<>()));
        }
        return converted;
    }

    /** {@code Schema.getSchema(builder)}, call for call. */
    private int schemaTable(FlatBufferBuilder builder) {
        int[] offsets = new int[fields.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = fields.get(i).getField(builder);
        }
        int fieldsOffset = org.apache.arrow.flatbuf.Schema.createFieldsVector(builder, offsets);
        int metadataOffset = FBSerializables.writeKeyValues(builder, metadata);
        org.apache.arrow.flatbuf.Schema.startSchema(builder);
        org.apache.arrow.flatbuf.Schema.addEndianness(builder,
                ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Endianness.Little : Endianness.Big);
        org.apache.arrow.flatbuf.Schema.addFields(builder, fieldsOffset);
        org.apache.arrow.flatbuf.Schema.addCustomMetadata(builder, metadataOffset);
        return org.apache.arrow.flatbuf.Schema.endSchema(builder);
    }

    /** {@code ArrowFooter.writeTo(builder)} for no dictionaries and no footer metadata, call for call. */
    private int footerTable(FlatBufferBuilder builder) {
        int schemaOffset = schemaTable(builder);
        Footer.startDictionariesVector(builder, 0);
        int dictionariesOffset = FBSerializables.writeAllStructsToVector(builder, List.of());
        Footer.startRecordBatchesVector(builder, batches.size());
        int batchesOffset = FBSerializables.writeAllStructsToVector(builder, batches);
        Footer.startFooter(builder);
        Footer.addSchema(builder, schemaOffset);
        Footer.addDictionaries(builder, dictionariesOffset);
        Footer.addRecordBatches(builder, batchesOffset);
        Footer.addCustomMetadata(builder, 0);
        Footer.addVersion(builder, option.metadataVersion.toFlatbufID());
        return Footer.endFooter(builder);
    }

    private void writeInt(int v) throws IOException {
        write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v));
    }

    private void align() throws IOException {
        padTo((position + 7) & ~7L);
    }

    private void padTo(long at) throws IOException {
        while (position < at) {
            write(zeros.clear().limit((int) Math.min(8, at - position)));
        }
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            position += out.write(b);
        }
    }
}
