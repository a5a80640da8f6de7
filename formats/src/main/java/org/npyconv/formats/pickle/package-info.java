/**
 * The streaming pickle opcode reader: {@link org.npyconv.formats.pickle.PickleReader} lists a
 * pickle's opcodes, offsets and arguments as CPython's {@code pickletools.genops} does, without
 * executing the pickle, copying its payloads or trusting its lengths;
 * {@link org.npyconv.formats.pickle.PickleOpcode} and {@link org.npyconv.formats.pickle.ArgKind}
 * name the opcodes and argument layouts of protocols 0 to 5 as {@code pickletools} does.
 *
 * <p>Everything downstream (the indexer's structural scan, element decoding, the converter's fast
 * paths for str and ndarray payloads) reads pickles through this package. Specified in
 * {@code docs/pickle-reader.md}.
 */
package org.npyconv.formats.pickle;
