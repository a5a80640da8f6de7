package org.npyconv.formats.npy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recursive-descent parser for the subset of Python literal syntax that a {@code .npy} header uses.
 * It stands in for the {@code ast.literal_eval} call in NumPy's {@code numpy/lib/format.py}; the
 * text is parsed, never evaluated.
 *
 * <p>Accepted, with CPython's spelling rules: dicts, lists, tuples ({@code ()}, {@code (x,)},
 * parenthesised expressions, a bare top-level {@code a, b}), strings (optional {@code r}/{@code u}
 * prefix, single, double and triple quotes, all of Python's escapes including {@code \N{...}},
 * adjacent literals concatenated), ints (decimal, {@code 0x}, {@code 0o}, {@code 0b},
 * underscores, one optional sign), {@code True}, {@code False}, {@code None}, comments and
 * backslash line continuations. Refused, each with the index of the offending character: floats,
 * complex numbers, bytes and f-strings, sets, names, calls, operators and anything else
 * {@code literal_eval} would evaluate or refuse.
 *
 * <p>Values come back as {@link String}, {@link Long} (or {@link BigInteger} beyond 64 bits),
 * {@link Boolean}, {@code null} for {@code None}, unmodifiable {@link List} and insertion-ordered
 * {@link Map}, and {@link PyTuple}.
 *
 * <p>Layout differences from CPython that do not change the value are tolerated: indentation of
 * the first line and a trailing whitespace-only line (CPython raises {@code IndentationError}).
 * A newline outside brackets ends the expression, as in Python.
 *
 * <p>Not thread-safe; one instance parses one string.
 */
final class PythonLiteral {
    /** Deepest nesting of containers accepted; NumPy's deepest real descrs are far shallower. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private final int end;
    /** Python 2 wrote {@code 3L}; NumPy strips the suffix for format versions 1.0 and 2.0. */
    private final boolean allowLongSuffix;
    private int pos;
    private int depth;

    private PythonLiteral(String text, boolean allowLongSuffix) {
        this.text = text;
        this.end = text.length();
        this.allowLongSuffix = allowLongSuffix;
    }

    /**
     * Parses {@code text} as one Python literal expression.
     *
     * @param allowLongSuffix accept Python 2's {@code L} suffix on ints ({@code 3L})
     * @throws LiteralSyntaxException with the index of the first character that is not acceptable
     */
    static Object parse(String text, boolean allowLongSuffix) throws LiteralSyntaxException {
        return new PythonLiteral(text, allowLongSuffix).parseTop();
    }

    private Object parseTop() throws LiteralSyntaxException {
        skipBlankLines();
        if (pos >= end) {
            throw error("the header text is empty", pos);
        }
        Object first = parseValue();
        skipSpace();
        Object result = first;
        if (pos < end && text.charAt(pos) == ',') {
            // eval mode: `a, b` is a tuple even without parentheses.
            List<Object> items = new ArrayList<>();
            items.add(first);
            while (pos < end && text.charAt(pos) == ',') {
                pos++;
                skipSpace();
                if (pos >= end || isNewline(text.charAt(pos))) {
                    break;
                }
                items.add(parseValue());
                skipSpace();
            }
            result = new PyTuple(items);
        }
        skipBlankLines();
        if (pos < end) {
            throw unexpected(pos);
        }
        return result;
    }

    // ---- values ----

    private Object parseValue() throws LiteralSyntaxException {
        if (pos >= end) {
            throw error("unexpected end of header text, expected a value", pos);
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return parseDict();
            case '[':
                return parseList();
            case '(':
                return parseParenthesised();
            case '\'':
            case '"':
                return parseStrings();
            case '-':
            case '+':
                return parseSigned();
            default:
                break;
        }
        if (c >= '0' && c <= '9') {
            return parseInt();
        }
        if (c == '.' && pos + 1 < end && isDigit(text.charAt(pos + 1))) {
            throw error("float literals are not allowed in a .npy header", pos);
        }
        if (Character.isUnicodeIdentifierStart(c) || c == '_') {
            return parseName();
        }
        throw unexpected(pos);
    }

    private Object parseDict() throws LiteralSyntaxException {
        int open = enter();
        Map<Object, Object> map = new LinkedHashMap<>();
        skipSpace();
        while (true) {
            if (pos < end && text.charAt(pos) == '}') {
                pos++;
                break;
            }
            if (startsWith("**")) {
                throw error("dict unpacking is not allowed in a .npy header", pos);
            }
            int keyStart = pos;
            Object key = parseValue();
            skipSpace();
            if (pos < end && (text.charAt(pos) == ',' || text.charAt(pos) == '}') && map.isEmpty()) {
                throw error("set literals are not allowed in a .npy header", open);
            }
            expect(':');
            requireHashable(key, keyStart);
            skipSpace();
            Object value = parseValue();
            // Like Python: a repeated key keeps its first position and takes the last value.
            map.put(key, value);
            skipSpace();
            if (pos < end && text.charAt(pos) == ',') {
                pos++;
                skipSpace();
            } else if (pos < end && text.charAt(pos) == '}') {
                pos++;
                break;
            } else {
                throw expected("',' or '}'");
            }
        }
        depth--;
        return Collections.unmodifiableMap(map);
    }

    private Object parseList() throws LiteralSyntaxException {
        enter();
        List<Object> items = parseItems(']');
        depth--;
        return Collections.unmodifiableList(items);
    }

    private Object parseParenthesised() throws LiteralSyntaxException {
        enter();
        skipSpace();
        if (pos < end && text.charAt(pos) == ')') {
            pos++;
            depth--;
            return new PyTuple(List.of());
        }
        Object first = parseValue();
        skipSpace();
        if (pos < end && text.charAt(pos) == ')') {
            // `(x)` is x itself, not a tuple.
            pos++;
            depth--;
            return first;
        }
        expect(',');
        skipSpace();
        List<Object> rest = parseItems(')');
        List<Object> items = new ArrayList<>(rest.size() + 1);
        items.add(first);
        items.addAll(rest);
        depth--;
        return new PyTuple(items);
    }

    /** Items up to {@code close}, trailing comma allowed; the opening bracket is already consumed. */
    private List<Object> parseItems(char close) throws LiteralSyntaxException {
        List<Object> items = new ArrayList<>();
        skipSpace();
        while (true) {
            if (pos < end && text.charAt(pos) == close) {
                pos++;
                return items;
            }
            items.add(parseValue());
            skipSpace();
            if (pos < end && text.charAt(pos) == ',') {
                pos++;
                skipSpace();
            } else if (pos < end && text.charAt(pos) == close) {
                pos++;
                return items;
            } else {
                throw expected("',' or '" + close + "'");
            }
        }
    }

    private Object parseSigned() throws LiteralSyntaxException {
        int signAt = pos;
        boolean negative = text.charAt(pos) == '-';
        pos++;
        skipSpace();
        if (pos >= end || !isDigit(text.charAt(pos))) {
            // literal_eval accepts one sign on a number literal only: no `--1`, no `-x`.
            throw error("'" + text.charAt(signAt) + "' must be followed by an integer literal", signAt);
        }
        Object magnitude = parseInt();
        if (!negative) {
            return magnitude;
        }
        if (magnitude instanceof Long l) {
            return -l;
        }
        BigInteger negated = ((BigInteger) magnitude).negate();
        return negated.bitLength() < 64 ? (Object) negated.longValue() : negated;
    }

    /**
     * An unsigned int token at {@code pos}. A magnitude of 2^63 or more comes back as a BigInteger,
     * which {@link #parseSigned} narrows again after negating (so -2^63 is a Long).
     */
    private Object parseInt() throws LiteralSyntaxException {
        int start = pos;
        int radix = 10;
        if (text.charAt(pos) == '0' && pos + 1 < end) {
            char p = Character.toLowerCase(text.charAt(pos + 1));
            if (p == 'x') {
                radix = 16;
            } else if (p == 'o') {
                radix = 8;
            } else if (p == 'b') {
                radix = 2;
            }
        }
        StringBuilder digits = new StringBuilder();
        if (radix != 10) {
            pos += 2;
            // Python allows one underscore right after the prefix: 0x_1f.
            if (pos < end && text.charAt(pos) == '_') {
                pos++;
            }
            if (pos >= end || Character.digit(text.charAt(pos), radix) < 0 || !isAsciiAlnum(text.charAt(pos))) {
                throw error("invalid integer literal: no digits after the base prefix", start);
            }
        }
        readDigits(digits, radix, start);
        if (radix == 10 && digits.length() > 1 && digits.charAt(0) == '0' && !allZero(digits)) {
            throw error("leading zeros in decimal integer literals are not permitted", start);
        }
        if (pos < end) {
            char next = text.charAt(pos);
            if (next == '.' || next == 'e' || next == 'E') {
                throw error("float literals are not allowed in a .npy header", start);
            }
            if (next == 'j' || next == 'J') {
                throw error("complex literals are not allowed in a .npy header", start);
            }
            if (next == 'L' && allowLongSuffix) {
                pos++;
            } else if (Character.isUnicodeIdentifierPart(next)) {
                throw error("invalid integer literal", pos);
            }
        }
        BigInteger value = new BigInteger(digits.toString(), radix);
        if (value.bitLength() < 64) {
            return value.longValue();
        }
        return value;
    }

    private void readDigits(StringBuilder digits, int radix, int start) throws LiteralSyntaxException {
        while (pos < end) {
            char c = text.charAt(pos);
            if (isAsciiAlnum(c) && Character.digit(c, radix) >= 0) {
                digits.append(c);
                pos++;
            } else if (c == '_') {
                // One underscore, and only between digits.
                if (pos + 1 >= end || !isAsciiAlnum(text.charAt(pos + 1))
                        || Character.digit(text.charAt(pos + 1), radix) < 0) {
                    throw error("invalid integer literal: misplaced '_'", pos);
                }
                pos++;
            } else if (isDigit(c)) {
                // e.g. '8' in an octal literal
                throw error("invalid digit '" + c + "' in base-" + radix + " literal", pos);
            } else {
                return;
            }
        }
    }

    private Object parseName() throws LiteralSyntaxException {
        int start = pos;
        while (pos < end && (Character.isUnicodeIdentifierPart(text.charAt(pos)))) {
            pos++;
        }
        String name = text.substring(start, pos);
        if (pos < end && (text.charAt(pos) == '\'' || text.charAt(pos) == '"')) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("r") || lower.equals("u")) {
                pos = start;
                return parseStrings();
            }
            if (lower.contains("b")) {
                throw error("bytes literals are not allowed in a .npy header", start);
            }
            if (lower.contains("f")) {
                throw error("f-strings are not allowed in a .npy header", start);
            }
            throw error("invalid string prefix '" + name + "'", start);
        }
        switch (name) {
            case "True":
                return Boolean.TRUE;
            case "False":
                return Boolean.FALSE;
            case "None":
                return null;
            default:
                throw error("name '" + name + "' is not allowed in a .npy header (only literals are)", start);
        }
    }

    // ---- strings ----

    /** One string literal, or several adjacent ones concatenated as Python does. */
    private String parseStrings() throws LiteralSyntaxException {
        StringBuilder sb = new StringBuilder();
        parseString(sb);
        while (true) {
            int save = pos;
            skipSpace();
            if (pos < end && startsString(pos)) {
                parseString(sb);
            } else {
                pos = save;
                return sb.toString();
            }
        }
    }

    private boolean startsString(int at) {
        char c = text.charAt(at);
        if (c == '\'' || c == '"') {
            return true;
        }
        // A prefix letter followed by a quote; other prefixes are rejected by parseName.
        if ("rRuUbBfF".indexOf(c) >= 0) {
            int i = at + 1;
            if (i < end && "rRbBfF".indexOf(text.charAt(i)) >= 0) {
                i++;
            }
            return i < end && (text.charAt(i) == '\'' || text.charAt(i) == '"');
        }
        return false;
    }

    private void parseString(StringBuilder sb) throws LiteralSyntaxException {
        int start = pos;
        boolean raw = false;
        if (text.charAt(pos) != '\'' && text.charAt(pos) != '"') {
            int prefixEnd = pos;
            while (prefixEnd < end && text.charAt(prefixEnd) != '\'' && text.charAt(prefixEnd) != '"') {
                prefixEnd++;
            }
            String prefix = text.substring(pos, prefixEnd).toLowerCase(Locale.ROOT);
            if (prefix.contains("b")) {
                throw error("bytes literals are not allowed in a .npy header", start);
            }
            if (prefix.contains("f")) {
                throw error("f-strings are not allowed in a .npy header", start);
            }
            if (!prefix.equals("r") && !prefix.equals("u")) {
                throw error("invalid string prefix '" + text.substring(pos, prefixEnd) + "'", start);
            }
            raw = prefix.equals("r");
            pos = prefixEnd;
        }
        char quote = text.charAt(pos);
        boolean triple = pos + 2 < end && text.charAt(pos + 1) == quote && text.charAt(pos + 2) == quote;
        pos += triple ? 3 : 1;
        while (true) {
            if (pos >= end) {
                throw error("unterminated string literal", start);
            }
            char c = text.charAt(pos);
            if (c == quote) {
                if (!triple) {
                    pos++;
                    return;
                }
                if (pos + 2 < end && text.charAt(pos + 1) == quote && text.charAt(pos + 2) == quote) {
                    pos += 3;
                    return;
                }
                sb.append(c);
                pos++;
            } else if (c == '\\') {
                if (raw) {
                    // A raw string keeps the backslash; it still stops the next quote from closing.
                    sb.append(c);
                    pos++;
                    if (pos < end) {
                        sb.append(text.charAt(pos));
                        pos++;
                    }
                } else {
                    parseEscape(sb);
                }
            } else if ((c == '\n' || c == '\r') && !triple) {
                throw error("unterminated string literal (end of line inside the quotes)", start);
            } else {
                sb.append(c);
                pos++;
            }
        }
    }

    /** The escape at {@code pos} (a backslash), with CPython's semantics. */
    private void parseEscape(StringBuilder sb) throws LiteralSyntaxException {
        int backslash = pos;
        pos++;
        if (pos >= end) {
            throw error("unterminated string literal", backslash);
        }
        char c = text.charAt(pos);
        pos++;
        switch (c) {
            case '\n':
                return; // line continuation inside the string
            case '\r':
                if (pos < end && text.charAt(pos) == '\n') {
                    pos++;
                }
                return;
            case '\\':
            case '\'':
            case '"':
                sb.append(c);
                return;
            case 'a':
                sb.append('\u0007');
                return;
            case 'b':
                sb.append('\b');
                return;
            case 'f':
                sb.append('\f');
                return;
            case 'n':
                sb.append('\n');
                return;
            case 'r':
                sb.append('\r');
                return;
            case 't':
                sb.append('\t');
                return;
            case 'v':
                sb.append('\u000b');
                return;
            case 'x':
                sb.appendCodePoint(hexDigits(2, backslash, "\\xXX"));
                return;
            case 'u':
                sb.appendCodePoint(hexDigits(4, backslash, "\\uXXXX"));
                return;
            case 'U': {
                int cp = hexDigits(8, backslash, "\\UXXXXXXXX");
                if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                    throw error("illegal Unicode character in \\U escape", backslash);
                }
                sb.appendCodePoint(cp);
                return;
            }
            case 'N':
                sb.appendCodePoint(namedCharacter(backslash));
                return;
            default:
                break;
        }
        if (c >= '0' && c <= '7') {
            int value = c - '0';
            for (int i = 0; i < 2 && pos < end && text.charAt(pos) >= '0' && text.charAt(pos) <= '7'; i++) {
                value = value * 8 + (text.charAt(pos) - '0');
                pos++;
            }
            sb.append((char) value);
            return;
        }
        // Unknown escapes keep the backslash (CPython warns but accepts).
        sb.append('\\').append(c);
    }

    private int hexDigits(int count, int backslash, String form) throws LiteralSyntaxException {
        if (pos + count > end) {
            throw error("truncated " + form + " escape", backslash);
        }
        int value = 0;
        for (int i = 0; i < count; i++) {
            char h = text.charAt(pos + i);
            int d = isAsciiAlnum(h) ? Character.digit(h, 16) : -1;
            if (d < 0) {
                throw error("truncated " + form + " escape", backslash);
            }
            value = (value << 4) | d;
        }
        pos += count;
        return value;
    }

    private int namedCharacter(int backslash) throws LiteralSyntaxException {
        if (pos >= end || text.charAt(pos) != '{') {
            throw error("malformed \\N character escape", backslash);
        }
        int close = text.indexOf('}', pos);
        if (close < 0 || close == pos + 1) {
            throw error("malformed \\N character escape", backslash);
        }
        String name = text.substring(pos + 1, close);
        try {
            int cp = Character.codePointOf(name);
            pos = close + 1;
            return cp;
        } catch (IllegalArgumentException e) {
            throw error("unknown Unicode character name '" + name + "'", backslash);
        }
    }

    // ---- whitespace ----

    /**
     * Skips spaces, tabs, form feeds, comments and backslash continuations; inside brackets also
     * newlines. Outside brackets a newline ends the logical line, so it is left in place.
     */
    private void skipSpace() throws LiteralSyntaxException {
        while (pos < end) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\f') {
                pos++;
            } else if (c == '#') {
                while (pos < end && !isNewline(text.charAt(pos))) {
                    pos++;
                }
            } else if (c == '\\') {
                int after = pos + 1;
                if (after < end && text.charAt(after) == '\r') {
                    after++;
                    if (after < end && text.charAt(after) == '\n') {
                        after++;
                    }
                } else if (after < end && text.charAt(after) == '\n') {
                    after++;
                } else {
                    throw unexpected(pos);
                }
                pos = after;
            } else if (isNewline(c) && depth > 0) {
                pos++;
            } else {
                return;
            }
        }
    }

    /** Skips whitespace, comments and newlines at the top level (before and after the expression). */
    private void skipBlankLines() throws LiteralSyntaxException {
        while (true) {
            skipSpace();
            if (pos < end && isNewline(text.charAt(pos))) {
                pos++;
            } else {
                return;
            }
        }
    }

    // ---- helpers ----

    private int enter() throws LiteralSyntaxException {
        int open = pos;
        if (++depth > MAX_DEPTH) {
            throw error("literal nested deeper than " + MAX_DEPTH + " levels", open);
        }
        pos++;
        return open;
    }

    private void expect(char c) throws LiteralSyntaxException {
        if (pos < end && text.charAt(pos) == c) {
            pos++;
            return;
        }
        throw expected("'" + c + "'");
    }

    private boolean startsWith(String s) {
        return text.startsWith(s, pos);
    }

    private void requireHashable(Object key, int at) throws LiteralSyntaxException {
        if (key instanceof List || key instanceof Map) {
            throw error("unhashable type '" + typeName(key) + "' as a dict key", at);
        }
        if (key instanceof PyTuple t) {
            for (Object item : t.items()) {
                requireHashable(item, at);
            }
        }
    }

    private LiteralSyntaxException expected(String what) {
        if (pos >= end) {
            return error("unexpected end of header text, expected " + what, pos);
        }
        return error("expected " + what + ", found " + describe(text.charAt(pos)), pos);
    }

    private LiteralSyntaxException unexpected(int at) {
        if (at >= end) {
            return error("unexpected end of header text", at);
        }
        return error("unexpected " + describe(text.charAt(at)), at);
    }

    private static LiteralSyntaxException error(String reason, int at) {
        return new LiteralSyntaxException(reason, at);
    }

    private static String describe(char c) {
        if (c == '\n') {
            return "end of line";
        }
        if (c >= 0x20 && c < 0x7f) {
            return "'" + c + "'";
        }
        return String.format(Locale.ROOT, "character U+%04X", (int) c);
    }

    private static boolean isNewline(char c) {
        return c == '\n' || c == '\r';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Character.digit also accepts non-ASCII digits; Python's int literals do not. */
    private static boolean isAsciiAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean allZero(CharSequence digits) {
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    // ---- presenting parsed values ----

    /** The Python type name of a parsed value, for messages ({@code 'str'}, {@code 'tuple'}, ...). */
    static String typeName(Object value) {
        if (value == null) {
            return "NoneType";
        }
        if (value instanceof String) {
            return "str";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Long || value instanceof BigInteger) {
            return "int";
        }
        if (value instanceof PyTuple) {
            return "tuple";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof Map) {
            return "dict";
        }
        return value.getClass().getSimpleName();
    }

    /** Python's {@code repr} of a parsed value, for messages that quote the header as NumPy does. */
    static String repr(Object value) {
        StringBuilder sb = new StringBuilder();
        appendRepr(sb, value);
        return sb.toString();
    }

    private static void appendRepr(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("None");
        } else if (value instanceof Boolean b) {
            sb.append(b ? "True" : "False");
        } else if (value instanceof String s) {
            appendStringRepr(sb, s);
        } else if (value instanceof PyTuple t) {
            sb.append('(');
            appendItems(sb, t.items());
            if (t.size() == 1) {
                sb.append(',');
            }
            sb.append(')');
        } else if (value instanceof List<?> l) {
            sb.append('[');
            appendItems(sb, l);
            sb.append(']');
        } else if (value instanceof Map<?, ?> m) {
            sb.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                appendRepr(sb, e.getKey());
                sb.append(": ");
                appendRepr(sb, e.getValue());
                if (it.hasNext()) {
                    sb.append(", ");
                }
            }
            sb.append('}');
        } else {
            sb.append(value);
        }
    }

    private static void appendItems(StringBuilder sb, List<?> items) {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            appendRepr(sb, items.get(i));
        }
    }

    private static void appendStringRepr(StringBuilder sb, String s) {
        // Python prefers single quotes unless the string contains one and no double quote.
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == quote || c == '\\') {
                sb.append('\\').append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append(quote);
    }

    /**
     * The value as {@code json.dumps} would present it: tuples become lists, everything else is
     * kept (strings, Long/BigInteger, Boolean, null, lists, maps). Returned collections are
     * unmodifiable.
     */
    static Object jsonForm(Object value) {
        if (value instanceof PyTuple t) {
            return jsonList(t.items());
        }
        if (value instanceof List<?> l) {
            return jsonList(l);
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(e.getKey(), jsonForm(e.getValue()));
            }
            return Collections.unmodifiableMap(out);
        }
        return value;
    }

    private static List<Object> jsonList(List<?> items) {
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
            out.add(jsonForm(item));
        }
        return Collections.unmodifiableList(out);
    }
}
