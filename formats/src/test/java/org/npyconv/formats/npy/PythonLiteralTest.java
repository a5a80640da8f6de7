package org.npyconv.formats.npy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PythonLiteralTest {

    /**
     * Input text and Python's {@code repr(ast.literal_eval(text))} (recorded with CPython 3.11), so
     * each case checks the parsed value against CPython's reading of the same text.
     */
    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }            \n", "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}"),
                Arguments.of("{}", "{}"),
                Arguments.of("()", "()"),
                Arguments.of("(1,)", "(1,)"),
                Arguments.of("(1, 2)", "(1, 2)"),
                Arguments.of("(1)", "1"),
                Arguments.of("((1,),)", "((1,),)"),
                Arguments.of("[]", "[]"),
                Arguments.of("[1, [2, (3,)]]", "[1, [2, (3,)]]"),
                Arguments.of("[1,]", "[1]"),
                Arguments.of("1, 2", "(1, 2)"),
                Arguments.of("1,", "(1,)"),
                Arguments.of("'a'", "'a'"),
                Arguments.of("\"a\"", "'a'"),
                Arguments.of("'''a'b'''", "\"a'b\""),
                Arguments.of("\"\"\"x\"\"\"", "'x'"),
                Arguments.of("'a' 'b'", "'ab'"),
                Arguments.of("'a' \"b\"", "'ab'"),
                Arguments.of("u'x'", "'x'"),
                Arguments.of("U'x'", "'x'"),
                Arguments.of("r'\\n'", "'\\\\n'"),
                Arguments.of("R'\\''", "\"\\\\'\""),
                Arguments.of("'\\n\\t\\r\\a\\b\\f\\v\\\\\\'\\\"'", "'\\n\\t\\r\\x07\\x08\\x0c\\x0b\\\\\\'\"'"),
                Arguments.of("'\\x41\\u00e9\\U0001F600'", "'A\u00e9\ud83d\ude00'"),
                Arguments.of("'\\101\\0\\777'", "'A\\x00\u01ff'"),
                Arguments.of("'\\N{EM DASH}'", "'\u2014'"),
                Arguments.of("'\\q'", "'\\\\q'"),
                Arguments.of("'a\\\nb'", "'ab'"),
                Arguments.of("\"it's\"", "\"it's\""),
                Arguments.of("'say \"hi\"'", "'say \"hi\"'"),
                Arguments.of("0", "0"),
                Arguments.of("00", "0"),
                Arguments.of("0_0", "0"),
                Arguments.of("-1", "-1"),
                Arguments.of("+ 7", "7"),
                Arguments.of("- 1", "-1"),
                Arguments.of("1_000", "1000"),
                Arguments.of("0x1F", "31"),
                Arguments.of("0X_ff", "255"),
                Arguments.of("0o17", "15"),
                Arguments.of("0b101", "5"),
                Arguments.of("9223372036854775807", "9223372036854775807"),
                Arguments.of("9223372036854775808", "9223372036854775808"),
                Arguments.of("-9223372036854775808", "-9223372036854775808"),
                Arguments.of("-9223372036854775809", "-9223372036854775809"),
                Arguments.of("123456789012345678901234567890", "123456789012345678901234567890"),
                Arguments.of("True", "True"),
                Arguments.of("False", "False"),
                Arguments.of("None", "None"),
                Arguments.of("[None, True]", "[None, True]"),
                Arguments.of("\t{}", "{}"),
                Arguments.of(" \n  \n{}", "{}"),
                Arguments.of("{} # c\n", "{}"),
                Arguments.of("{\n}", "{}"),
                Arguments.of("{\\\n}", "{}"),
                Arguments.of("\f{}", "{}"),
                Arguments.of("{}\r\n", "{}"),
                Arguments.of("(1\n,2)", "(1, 2)"),
                Arguments.of("{} \n\n#x\n", "{}"),
                Arguments.of("{'a': 1, 'b': 2, 'a': 3}", "{'a': 3, 'b': 2}"),
                Arguments.of("{(1, 2): 'x'}", "{(1, 2): 'x'}"),
                Arguments.of("{'a': 1,}", "{'a': 1}"),
                Arguments.of("[\n 1, # one\n 2\n]", "[1, 2]"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("accepted")
    void parsesLikeLiteralEval(String text, String pythonRepr) throws LiteralSyntaxException {
        assertEquals(pythonRepr, PythonLiteral.repr(PythonLiteral.parse(text, false)));
    }

    /** Text, index of the offending character, and a fragment of the reason. */
    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("", 0, "empty"),
                Arguments.of("  \n ", 4, "empty"),
                Arguments.of("{", 1, "end of header text"),
                Arguments.of("{'a' 1}", 5, "expected ':'"),
                Arguments.of("{'a': 1 'b': 2}", 8, "expected ',' or '}'"),
                Arguments.of("{'a': }", 6, "unexpected '}'"),
                Arguments.of("[1 2]", 3, "expected ',' or ']'"),
                Arguments.of("[1, 2", 5, "end of header text"),
                Arguments.of("[,]", 1, "unexpected ','"),
                Arguments.of("(,)", 1, "unexpected ','"),
                Arguments.of("(1,,)", 3, "unexpected ','"),
                Arguments.of("(1 2)", 3, "expected ','"),
                Arguments.of("{1, 2}", 0, "set literals"),
                Arguments.of("{1}", 0, "set literals"),
                Arguments.of("{**{}}", 1, "dict unpacking"),
                Arguments.of("{[1]: 2}", 1, "unhashable type 'list'"),
                Arguments.of("{'x': 0, {}: 2}", 9, "unhashable type 'dict'"),
                Arguments.of("{(1, [2]): 3}", 1, "unhashable type 'list'"),
                Arguments.of("1.5", 0, "float"),
                Arguments.of("1.", 0, "float"),
                Arguments.of("1e5", 0, "float"),
                Arguments.of(".5", 0, "float"),
                Arguments.of("(3, 0.5)", 4, "float"),
                Arguments.of("1j", 0, "complex"),
                Arguments.of("01", 0, "leading zeros"),
                Arguments.of("1__0", 1, "misplaced '_'"),
                Arguments.of("1_", 1, "misplaced '_'"),
                Arguments.of("0x", 0, "no digits"),
                Arguments.of("0b2", 0, "no digits"),
                Arguments.of("0o18", 3, "invalid digit '8'"),
                Arguments.of("12a", 2, "invalid integer literal"),
                Arguments.of("1L", 1, "invalid integer literal"),
                Arguments.of("--1", 0, "'-' must be followed by an integer"),
                Arguments.of("-x", 0, "'-' must be followed by an integer"),
                Arguments.of("- True", 0, "'-' must be followed by an integer"),
                Arguments.of("+", 0, "'+' must be followed by an integer"),
                Arguments.of("x", 0, "name 'x' is not allowed"),
                Arguments.of("foo()", 0, "name 'foo' is not allowed"),
                Arguments.of("{'a': b}", 6, "name 'b' is not allowed"),
                Arguments.of("True()", 4, "unexpected '('"),
                Arguments.of("(1)(2)", 3, "unexpected '('"),
                Arguments.of("1 if 1 else 2", 2, "unexpected 'i'"),
                Arguments.of("'a' + 'b'", 4, "unexpected '+'"),
                Arguments.of("b'x'", 0, "bytes literals"),
                Arguments.of("rb'x'", 0, "bytes literals"),
                Arguments.of("'a' b'x'", 4, "bytes literals"),
                Arguments.of("f'x'", 0, "f-strings"),
                Arguments.of("ur'x'", 0, "invalid string prefix 'ur'"),
                Arguments.of("'abc", 0, "unterminated string"),
                Arguments.of("{'a': 'b\n'}", 6, "end of line inside the quotes"),
                Arguments.of("'''abc''", 0, "unterminated string"),
                Arguments.of("r'abc\\'", 0, "unterminated string"),
                Arguments.of("'a' 'b", 4, "unterminated string"),
                Arguments.of("'\\x4'", 1, "truncated \\xXX escape"),
                Arguments.of("'\\x4g'", 1, "truncated \\xXX escape"),
                Arguments.of("'\\u12'", 1, "truncated \\uXXXX escape"),
                Arguments.of("'\\U0011000'", 1, "truncated \\UXXXXXXXX escape"),
                Arguments.of("'\\U00110000'", 1, "illegal Unicode character"),
                Arguments.of("'\\N{NO SUCH CHARACTER NAME}'", 1, "unknown Unicode character name"),
                Arguments.of("'\\N'", 1, "malformed \\N"),
                Arguments.of("'\\N{}'", 1, "malformed \\N"),
                Arguments.of("1\n,2", 2, "unexpected ','"),
                Arguments.of("{} {}", 3, "unexpected '{'"),
                Arguments.of("{'a': 1}\n{'b': 2}", 9, "unexpected '{'"),
                Arguments.of("{}\u0000", 2, "U+0000"),
                Arguments.of("\u00a0{}", 0, "U+00A0"),
                Arguments.of("{'a': 1} \\ x", 9, "unexpected '\\'"),
                Arguments.of("{}\\", 2, "unexpected '\\'"),
                Arguments.of("[".repeat(PythonLiteral.MAX_DEPTH + 1), PythonLiteral.MAX_DEPTH, "nested deeper than 64"),
                Arguments.of("{'a': " + "(".repeat(PythonLiteral.MAX_DEPTH) + "}", 6 + PythonLiteral.MAX_DEPTH - 1,
                        "nested deeper than 64"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rejected")
    void rejectsWithIndexOfOffendingCharacter(String text, int index, String reason) {
        LiteralSyntaxException e = assertThrows(LiteralSyntaxException.class, () -> PythonLiteral.parse(text, false));
        assertEquals(index, e.index(), () -> "index for " + text + ": " + e.getMessage());
        assertTrue(e.reason().contains(reason), () -> "reason '" + e.reason() + "' lacks '" + reason + "'");
    }

    @Test
    void valuesHaveTheDocumentedJavaTypes() throws LiteralSyntaxException {
        Object v = PythonLiteral.parse("{'s': 'x', 'i': 7, 'big': 99999999999999999999, 'b': True, 'n': None,"
                + " 'l': [1], 't': (1,)}", false);
        Map<?, ?> m = assertInstanceOf(Map.class, v);
        assertEquals(List.of("s", "i", "big", "b", "n", "l", "t"), List.copyOf(m.keySet()));
        assertEquals("x", m.get("s"));
        assertEquals(7L, m.get("i"));
        assertEquals(new BigInteger("99999999999999999999"), m.get("big"));
        assertEquals(Boolean.TRUE, m.get("b"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertEquals(List.of(1L), m.get("l"));
        assertEquals(PyTuple.of(1L), m.get("t"));
        assertThrows(UnsupportedOperationException.class, () -> m.remove("s"));
    }

    @Test
    void tuplesAndListsStayDistinct() throws LiteralSyntaxException {
        assertInstanceOf(PyTuple.class, PythonLiteral.parse("(1, 2)", false));
        assertInstanceOf(List.class, PythonLiteral.parse("[1, 2]", false));
        assertEquals(PyTuple.of(), PythonLiteral.parse("()", false));
        assertEquals(PyTuple.of(PyTuple.of()), PythonLiteral.parse("((),)", false));
    }

    @Test
    void minimumLongStaysLong() throws LiteralSyntaxException {
        assertEquals(Long.MIN_VALUE, PythonLiteral.parse("-9223372036854775808", false));
        assertEquals(new BigInteger("9223372036854775808"), PythonLiteral.parse("9223372036854775808", false));
    }

    @Test
    void python2LongSuffixOnlyWhenAllowed() throws LiteralSyntaxException {
        assertEquals(PyTuple.of(3L, 4L), PythonLiteral.parse("(3L, 4L)", true));
        assertEquals(255L, PythonLiteral.parse("0xffL", true));
        LiteralSyntaxException e = assertThrows(LiteralSyntaxException.class, () -> PythonLiteral.parse("(3L,)", false));
        assertEquals(2, e.index());
    }

    @Test
    void depthLimitIsInclusive() throws LiteralSyntaxException {
        int d = PythonLiteral.MAX_DEPTH;
        Object v = PythonLiteral.parse("[".repeat(d) + "]".repeat(d), false);
        for (int i = 0; i < d - 1; i++) {
            v = ((List<?>) v).get(0);
        }
        assertEquals(List.of(), v);
    }

    @Test
    void toleratesTrailingIndentedBlankLine() throws LiteralSyntaxException {
        // CPython 3.11 raises IndentationError here; the value is unambiguous, so we accept it.
        assertEquals(Map.of(), PythonLiteral.parse("{}\n  ", false));
        assertEquals(Map.of(), PythonLiteral.parse("\n {}", false));
    }

    @Test
    void jsonFormTurnsTuplesIntoLists() throws LiteralSyntaxException {
        Object v = PythonLiteral.parse("[('a', '<i4', (2, 3)), (('t', 'b'), [('c', '|O')])]", false);
        assertEquals(List.of(List.of("a", "<i4", List.of(2L, 3L)), List.of(List.of("t", "b"), List.of(List.of("c", "|O")))),
                PythonLiteral.jsonForm(v));
    }
}
