package org.npyconv.formats.element;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.temporal.Temporal;
import java.time.ZoneOffset;

/**
 * Python's notion of "hashable" for the element model, used to refuse dict keys and set members
 * that Python itself would have refused (a list as a dict key can only come from a forged pickle)
 * and to keep hashing non-recursive: only atoms, tuples and frozensets are hashed by value, and
 * those two cache their hash at construction.
 */
final class Hashing {
    private Hashing() {}

    /** True for values Python can hash: atoms, hashable tuples, frozensets, inert objects, globals. */
    static boolean isHashable(Object v) {
        if (v instanceof PyTuple) {
            return ((PyTuple) v).isHashable();
        }
        return v == null
                || v instanceof String
                || v instanceof Long
                || v instanceof BigInteger
                || v instanceof Double
                || v instanceof Boolean
                || v instanceof byte[]
                || v instanceof PyFrozenSet
                || v instanceof PyComplex
                || v instanceof BigDecimal
                || v instanceof SpecialDecimal
                || v instanceof Temporal
                || v instanceof Duration
                || v instanceof ZoneOffset
                || v instanceof NumpyScalar
                || v instanceof NumpyDtype
                || v instanceof PyGlobal
                || v instanceof PyObject
                || v instanceof PyPersistentId
                || v instanceof PyExtensionCode;
    }

    /** The value's hash when it is hashable; a constant for mutable containers (never recurses). */
    static int hashOf(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof PyTuple || v instanceof PyFrozenSet) {
            return v.hashCode(); // cached
        }
        if (v instanceof java.util.Collection || v instanceof java.util.Map || v instanceof NdArray
                || v instanceof PyByteArray) {
            return 17; // unhashable in Python: contributes a constant, equality still implies equal hashes
        }
        return v.hashCode();
    }

    /** Tuple/frozenset nesting depth of a value (0 for everything else). */
    static int depthOf(Object v) {
        if (v instanceof PyTuple) {
            return ((PyTuple) v).depth();
        }
        if (v instanceof PyFrozenSet) {
            return ((PyFrozenSet) v).depth();
        }
        return 0;
    }
}
