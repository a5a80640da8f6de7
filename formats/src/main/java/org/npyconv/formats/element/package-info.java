/**
 * What one element of a NumPy object array is in Java, and how it is built without executing the
 * pickle (docs/elements.md; DESIGN.md "Elements in Java" and "JSON conventions").
 *
 * <ul>
 *   <li>{@link org.npyconv.formats.element.SpanEvaluator} evaluates the opcodes of a byte range of a
 *       pickle (one element, or the array's preamble) into the Java values of the element model;
 *       only the globals that {@link org.npyconv.formats.element.GlobalSafety} classifies as
 *       {@code NUMPY} or {@code SAFE} build real values, every other global becomes an inert
 *       {@link org.npyconv.formats.element.PyObject}.</li>
 *   <li>The element model: {@code null}, {@link java.lang.Boolean}, {@link java.lang.Long} /
 *       {@link java.math.BigInteger}, {@link java.lang.Double}, {@link java.lang.String},
 *       {@code byte[]}, {@link org.npyconv.formats.element.PyByteArray}, {@link java.util.List},
 *       {@link org.npyconv.formats.element.PyTuple}, {@link java.util.LinkedHashSet},
 *       {@link org.npyconv.formats.element.PyFrozenSet}, {@link java.util.LinkedHashMap},
 *       {@link org.npyconv.formats.element.PyComplex}, {@code java.time} values,
 *       {@link java.math.BigDecimal} / {@link org.npyconv.formats.element.SpecialDecimal},
 *       {@link org.npyconv.formats.element.NumpyScalar}, {@link org.npyconv.formats.element.NdArray},
 *       {@link org.npyconv.formats.element.PyGlobal}, {@link org.npyconv.formats.element.PyObject},
 *       {@link org.npyconv.formats.element.PyPersistentId},
 *       {@link org.npyconv.formats.element.PyExtensionCode}.</li>
 *   <li>{@link org.npyconv.formats.element.ElementJson} and
 *       {@link org.npyconv.formats.element.ElementRepr} render elements as JSON and as Python-like
 *       text, iteratively (no recursion on input-driven nesting).</li>
 * </ul>
 *
 * <p>Values built by an evaluator are plain data: they may be shared between elements (memo
 * back-references are references, not copies) and must be treated as read-only once the span that
 * built them has been evaluated.
 */
package org.npyconv.formats.element;
