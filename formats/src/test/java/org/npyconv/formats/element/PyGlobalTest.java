package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Equality by module and name, as the record's own would be (written out for start-up time). */
class PyGlobalTest {
    @Test
    void equalExactlyWhenModuleAndNameAre() {
        PyGlobal a = new PyGlobal("numpy", "dtype");
        assertEquals(a, new PyGlobal("numpy", "dtype"));
        assertEquals(a.hashCode(), new PyGlobal("numpy", "dtype").hashCode());
        assertNotEquals(a, new PyGlobal("numpy", "ndarray"));
        assertNotEquals(a, new PyGlobal("numpy.core", "dtype"));
        // The dot is not a separator the fields could trade across.
        assertNotEquals(new PyGlobal("a.b", "c"), new PyGlobal("a", "b.c"));
        assertNotEquals(a, "numpy.dtype");
        Set<PyGlobal> seen = new HashSet<>(Set.of(a, new PyGlobal("os", "system")));
        assertEquals(2, seen.size());
        seen.add(new PyGlobal("os", "system"));
        assertEquals(2, seen.size());
    }
}
