package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ElementModelTest {
    @ParameterizedTest
    @CsvSource({"<i2, i, 2, <i2", "|b1, b, 1, |b1", "?, b, 1, |b1", "|O, O, 8, |O", "O8, O, 8, |O",
        "<U5, U, 20, <U5", "|S3, S, 3, |S3", ">f8, f, 8, >f8", "<M8[ns], M, 8, <M8[ns]", "<m8[10s], m, 8, <m8[10s]",
        "<M8, M, 8, <M8", "|V12, V, 12, |V12", "<c16, c, 16, <c16", "|u1, u, 1, |u1"})
    void parsesDtypeStrings(String text, char kind, int size, String str) {
        NumpyDtype dt = NumpyDtype.parse(text);
        assertEquals(kind, dt.kind());
        assertEquals(size, dt.itemSize());
        assertEquals(str, dt.str());
    }

    @Test
    void rejectsWhatIsNotADtype() {
        for (String bad : List.of("", "<", "x4", "<i3", "<M8[lightyears]", "<f8junk", "<U99999999999")) {
            assertThrows(IllegalArgumentException.class, () -> NumpyDtype.parse(bad), bad);
        }
    }

    @Test
    void tuplesAreValueEqualKeysEvenWhenDeep() {
        Object deep1 = "x";
        Object deep2 = "x";
        for (int i = 0; i < 50_000; i++) {
            deep1 = PyTuple.of(deep1, (long) i);
            deep2 = PyTuple.of(deep2, (long) i);
        }
        assertEquals(deep1, deep2);
        assertEquals(deep1.hashCode(), deep2.hashCode());
        Map<Object, String> map = new HashMap<>();
        map.put(deep1, "found");
        assertEquals("found", map.get(deep2));
        assertNotEquals(PyTuple.of(1L), PyTuple.of(1L, 2L));
        assertEquals(List.of(1L, "a"), PyTuple.of(1L, "a").items());
    }

    @Test
    void frozensetKeepsOrderAndEqualsSets() {
        PyFrozenSet f = PyFrozenSet.of(List.of(3L, 1L, 2L, 1L));
        assertEquals(List.of(3L, 1L, 2L), List.copyOf(f));
        assertEquals(new LinkedHashSet<>(List.of(1L, 2L, 3L)), f);
        assertThrows(UnsupportedOperationException.class, () -> f.add(4L));
    }

    @Test
    void fortranOrderedArraysReadInCOrder() {
        // [[0, 1, 2], [3, 4, 5]] stored column-major: 0 3 1 4 2 5
        NdArray a = NdArray.ofBytes(NumpyDtype.parse("|i1"), new long[] {2, 3}, true, new byte[] {0, 3, 1, 4, 2, 5});
        for (int i = 0; i < 6; i++) {
            assertEquals((long) i, ((NumpyScalar) a.get(i)).value());
        }
        assertEquals("array([[0, 1, 2], [3, 4, 5]], dtype=int8)", ElementRepr.repr(a));
        assertEquals("{\"$ndarray\":{\"dtype\":\"|i1\",\"shape\":[2,3],\"data\":[0,1,2,3,4,5]}}", ElementJson.toJson(a));
    }

    @Test
    void largeArraysAreSummarisedInRepr() {
        byte[] data = new byte[2000 * 8];
        for (int i = 0; i < 2000; i++) {
            data[8 * i] = (byte) i;
            data[8 * i + 1] = (byte) (i >> 8);
        }
        NdArray a = NdArray.ofBytes(NumpyDtype.parse("<i8"), new long[] {2000}, false, data);
        assertEquals("array([0, 1, 2, ..., 1997, 1998, 1999])", ElementRepr.repr(a));
        NdArray m = NdArray.ofBytes(NumpyDtype.parse("<i8"), new long[] {1000, 2}, false, data);
        assertEquals("array([[0, 1], [2, 3], [4, 5], ..., [1994, 1995], [1996, 1997], [1998, 1999]])",
                ElementRepr.repr(m));
    }

    @Test
    void scalarsKeepWidthAndDecodeByteOrder() {
        NumpyScalar s = NumpyScalar.of(NumpyDtype.parse(">i2"), new byte[] {(byte) 0xff, (byte) 0xfe});
        assertEquals(-2L, s.value());
        assertEquals("np.int16(-2)", ElementRepr.repr(s));
        NumpyScalar u = NumpyScalar.of(NumpyDtype.parse("<u8"), new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});
        assertEquals(new BigInteger("18446744073709551615"), u.value());
        NumpyScalar h = NumpyScalar.of(NumpyDtype.parse("<f2"), new byte[] {0x66, 0x2e});
        assertEquals(0.0999755859375f, h.value());
        assertEquals("0.1", ElementJson.toJson(h));
        assertEquals("np.float16(0.1)", ElementRepr.repr(h));
        NumpyScalar d = NumpyScalar.of(NumpyDtype.parse("<M8[D]"), new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(1L, d.value());
        assertEquals(LocalDate.of(1970, 1, 2), d.item());
        NumpyScalar nat = NumpyScalar.of(NumpyDtype.parse("<m8[s]"), new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) 0x80});
        assertNull(nat.item());
        NumpyScalar us = NumpyScalar.of(NumpyDtype.parse("<M8[us]"), new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 1000), us.item());
        NumpyScalar td = NumpyScalar.of(NumpyDtype.parse("<m8[h]"), new byte[] {5, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(Duration.ofHours(5), td.item());
        assertArrayEquals(new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, td.raw());
        assertEquals(td, NumpyScalar.of(NumpyDtype.parse("<m8[h]"), td.raw()));
    }

    @Test
    void pythonReprsOfAtoms() {
        assertEquals("\"it's\"", ElementRepr.repr("it's"));
        assertEquals("b'\\x00\\xffa'", ElementRepr.repr(new byte[] {0, -1, 'a'}));
        assertEquals("(1+2j)", ElementRepr.repr(new PyComplex(1, 2)));
        assertEquals("-1j", ElementRepr.repr(new PyComplex(0, -1)));
        assertEquals("datetime.timedelta(days=-1, seconds=86399)", ElementRepr.repr(Duration.ofSeconds(-1)));
        assertEquals("(1,)", ElementRepr.repr(PyTuple.of(1L)));
        assertEquals("{'a': [None, True]}", ElementRepr.repr(Map.of("a", java.util.Arrays.asList(null, true))));
        assertTrue(ElementRepr.repr(new LinkedHashSet<>()).equals("set()"));
    }
}
