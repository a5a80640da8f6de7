#!/usr/bin/env python3
"""Writes testdata/hostile/: deliberately hostile and damaged object-array .npy files.

Usage (from the repository root; NumPy 2.x only for the one case np.save writes itself):

    .venv/np2/bin/python tools/hostile/make_hostile.py [OUTPUT_DIR]

Every case is a small file CASE.npy plus CASE.json:

    {"case": "reduce_os_system",
     "description": "...",
     "marker": "/tmp/npyconv-pwned-reduce_os_system",   # the file np.load would create, or null
     "expect": {"info": "ok", "index": "ok", "get": "ok", "export": "ok"},   # "ok" (exit 0) or "error" (exit 1)
     "error_contains": "...",          # a substring of the one error line (when some command fails)
     "get_json_contains": "...",       # a substring of `get --json FILE 0` output (when get succeeds)
     "dangerous_globals": ["os.system"]  # what `info --json` must mark executes_code_under_np_load
    }

The pickles are assembled opcode by opcode (this is deliberately hostile input; Python's pickler
would never write most of it). Every code-running payload only touches a marker file under /tmp,
so the files are harmless even if someone does np.load(..., allow_pickle=True) them; the tests
assert the markers never appear. Deterministic: the same script writes byte-identical files.
"""
import io
import json
import os
import struct
import sys

MARKER_DIR = "/tmp"
TWO_62 = 1 << 62


def marker(case):
    return f"{MARKER_DIR}/npyconv-pwned-{case}"


# ---------------------------------------------------------------------------------------------
# A tiny pickle assembler. Memo entries are numbered by the assembler (sequentially, as Python's
# picklers do) so the indexer's memo bookkeeping is exercised, not refused.


class Asm:
    def __init__(self):
        self.out = bytearray()
        self.memo = 0

    def raw(self, b):
        self.out += b
        return self

    def op(self, code, arg=b""):
        self.out += code + arg
        return self

    def mark(self):
        return self.op(b"(")

    def none(self):
        return self.op(b"N")

    def int(self, v):
        if 0 <= v < 256:
            return self.op(b"K", bytes([v]))
        if 0 <= v < 65536:
            return self.op(b"M", struct.pack("<H", v))
        if -(1 << 31) <= v < (1 << 31):
            return self.op(b"J", struct.pack("<i", v))
        n = (v.bit_length() + 8) // 8
        return self.op(b"\x8a", bytes([n]) + v.to_bytes(n, "little", signed=True))

    def str(self, s):
        b = s.encode("utf-8", "surrogatepass")
        if len(b) < 256:
            return self.op(b"\x8c", bytes([len(b)]) + b)
        return self.op(b"X", struct.pack("<I", len(b)) + b)

    def bytes(self, b):
        if len(b) < 256:
            return self.op(b"C", bytes([len(b)]) + b)
        return self.op(b"B", struct.pack("<I", len(b)) + b)

    def glob(self, module, name):
        return self.op(b"c", module.encode() + b"\n" + name.encode() + b"\n")

    def stack_global(self, module, name):
        return self.str(module).str(name).op(b"\x93")

    def put(self):
        i = self.memo
        self.memo += 1
        if i < 256:
            self.op(b"q", bytes([i]))
        else:
            self.op(b"r", struct.pack("<I", i))
        return i

    def get(self, i):
        if i < 256:
            return self.op(b"h", bytes([i]))
        return self.op(b"j", struct.pack("<I", i))

    def tuple(self, n=None):
        if n == 0:
            return self.op(b")")
        if n == 1:
            return self.op(b"\x85")
        if n == 2:
            return self.op(b"\x86")
        if n == 3:
            return self.op(b"\x87")
        return self.op(b"t")

    def reduce(self):
        return self.op(b"R")

    def call(self, module, name, *args):
        """module.name(*args) with str/int args, by GLOBAL + TUPLE + REDUCE."""
        self.glob(module, name)
        self.mark()
        for a in args:
            self.value(a)
        return self.tuple().reduce()

    def value(self, a):
        if a is None:
            return self.none()
        if isinstance(a, bool):
            return self.op(b"\x88" if a else b"\x89")
        if isinstance(a, int):
            return self.int(a)
        if isinstance(a, str):
            return self.str(a)
        if isinstance(a, bytes):
            return self.bytes(a)
        if isinstance(a, list):
            self.op(b"]").mark()
            for x in a:
                self.value(x)
            return self.op(b"e")
        raise TypeError(a)


def preamble(asm, count, protocol=3):
    """NumPy's layout up to (and including) the element list's EMPTY_LIST; no memo entries."""
    asm.op(b"\x80", bytes([protocol]))
    asm.glob("numpy.core.multiarray", "_reconstruct")
    asm.glob("numpy", "ndarray")
    asm.int(0).tuple(1).bytes(b"b").tuple(3).reduce()
    asm.mark().int(1)
    asm.int(count).tuple(1)
    asm.glob("numpy", "dtype").str("O8").op(b"\x89").op(b"\x88").tuple(3).reduce()
    asm.mark().int(3).str("|").none().none().none().int(-1).int(-1).int(63).tuple().op(b"b")
    asm.op(b"\x89")  # is_fortran
    asm.op(b"]")  # the element list


def postamble(asm):
    return asm.op(b"t").op(b"b").op(b".")


def header(shape_text, descr="|O", fortran="False", extra="", version=(1, 0), text=None):
    if text is None:
        text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, %s}" % (descr, fortran, shape_text, extra)
    return header_bytes(text, version)


def header_bytes(text, version=(1, 0)):
    body = text.encode("latin-1" if version[0] < 3 else "utf-8")
    prefix = 10 if version[0] == 1 else 12
    total = prefix + len(body) + 1
    pad = (-total) % 64
    body = body + b" " * pad + b"\n"
    if version[0] == 1:
        return b"\x93NUMPY" + bytes(version) + struct.pack("<H", len(body)) + body
    return b"\x93NUMPY" + bytes(version) + struct.pack("<I", len(body)) + body


def shape_of(n):
    return "(%d,)" % n


def array_file(elements, shape=None, batch=True, protocol=3):
    """A complete object-array .npy: `elements` is a list of callables that assemble one element each."""
    asm = Asm()
    preamble(asm, len(elements), protocol)
    if len(elements) == 1 and not batch:
        elements[0](asm)
        asm.op(b"a")
    else:
        asm.mark()
        for e in elements:
            e(asm)
        asm.op(b"e")
    postamble(asm)
    return header(shape if shape is not None else shape_of(len(elements))) + bytes(asm.out)


def plain(v):
    return lambda a: a.value(v)


CASES = []


def case(name, description, data, expect, error_contains=None, get_json_contains=None, dangerous=(),
         marker_file=False, index_error_contains=None):
    CASES.append(dict(case=name, description=description, data=data,
                      marker=marker(name) if marker_file else None,
                      expect=expect, error_contains=error_contains, get_json_contains=get_json_contains,
                      dangerous_globals=list(dangerous)))


OK = dict(info="ok", index="ok", get="ok", export="ok")
ELEMENT_ERROR = dict(info="ok", index="ok", get="error", export="error")
SCAN_ERROR = dict(info="ok", index="error", get="error", export="error")
HEADER_ERROR = dict(info="error", index="error", get="error", export="error")


def build_cases():
    # --- code execution under np.load: every one must stay an inert value ------------------------
    def touch(n):
        return "touch " + marker(n)

    n = "reduce_os_system"
    case(n, "element 1 is os.system('touch MARKER') by GLOBAL + REDUCE (the classic attack)",
         array_file([plain("before"), lambda a: a.call("os", "system", touch("reduce_os_system")), plain("after")]),
         OK, get_json_contains='"before"', dangerous=["os.system"], marker_file=True)
    # get --json 0 is "before": the hostile element is elsewhere; the test also reads element 1.

    n = "reduce_posix_system_first"
    case(n, "element 0 is posix.system('touch MARKER') by STACK_GLOBAL + REDUCE (what pickle writes for os.system)",
         array_file([lambda a: a.stack_global("posix", "system").str(touch(n)).tuple(1).reduce(), plain(1)]),
         OK, get_json_contains='"$class":"posix.system"', dangerous=["posix.system"], marker_file=True)

    n = "reduce_builtins_eval"
    case(n, "builtins.eval of code that would touch MARKER",
         array_file([lambda a: a.call("builtins", "eval", "__import__('os').system('%s')" % touch(n))]),
         OK, get_json_contains='"$class":"builtins.eval"', dangerous=["builtins.eval"], marker_file=True)

    n = "reduce_builtins_exec"
    case(n, "builtins.exec of code that would touch MARKER",
         array_file([lambda a: a.call("builtins", "exec", "import os\nos.system('%s')" % touch(n))]),
         OK, get_json_contains='"$class":"builtins.exec"', dangerous=["builtins.exec"], marker_file=True)

    n = "reduce_subprocess_popen"
    case(n, "subprocess.Popen(['touch', MARKER])",
         array_file([lambda a: a.call("subprocess", "Popen", ["touch", marker(n)])]),
         OK, get_json_contains='"$class":"subprocess.Popen"', dangerous=["subprocess.Popen"], marker_file=True)

    n = "getattr_chain"

    def getattr_chain(a):
        # getattr(__import__('os'), 'system')('touch MARKER')
        a.glob("builtins", "getattr")
        a.mark().call("builtins", "__import__", "os").str("system").tuple().reduce()
        a.str(touch(n)).tuple(1).reduce()
    case(n, "getattr(__import__('os'), 'system')('touch MARKER'): a computed callable",
         array_file([getattr_chain]), OK, get_json_contains='"callable"',
         dangerous=["builtins.getattr", "builtins.__import__"], marker_file=True)

    n = "getattr_chain_shared"

    def getattr_shared(a):
        # the computed os.system is memoized and called by a later element through BINGET
        a.glob("builtins", "getattr")
        a.mark().call("builtins", "__import__", "os").str("system").tuple().reduce()
        i = a.put()
        a.str(touch(n)).tuple(1).reduce()
        return i
    holder = {}

    def first(a):
        holder["i"] = getattr_shared(a)

    def second(a):
        a.get(holder["i"]).str(touch(n)).tuple(1).reduce()
    case(n, "the computed callable of element 0 is memoized and called again by element 1 through BINGET",
         array_file([first, second]), OK, get_json_contains='"callable"',
         dangerous=["builtins.getattr", "builtins.__import__"], marker_file=True)

    n = "inst_arbitrary"
    case(n, "INST of os._wrap_close and of an unimportable class (protocol 0 style)",
         array_file([lambda a: a.mark().str("x").op(b"i", b"os\n_wrap_close\n"),
                     lambda a: a.mark().int(7).op(b"i", b"no_such_module_xyz\nEvil\n")]),
         OK, get_json_contains='"$class":"os._wrap_close"', dangerous=["os._wrap_close"])

    n = "obj_arbitrary"
    case(n, "OBJ of subprocess.Popen(['touch', MARKER]) and BUILD with a state dict",
         array_file([lambda a: (a.mark().glob("subprocess", "Popen").value(["touch", marker(n)]).op(b"o")
                                .op(b"}").str("k").int(1).op(b"s").op(b"b"))]),
         OK, get_json_contains='"$class":"subprocess.Popen"', dangerous=["subprocess.Popen"], marker_file=True)

    n = "newobj_arbitrary"
    case(n, "NEWOBJ of an unknown class, then BUILD (would call __setstate__)",
         array_file([lambda a: a.glob("evil_pkg.mod", "Thing").int(1).str("x").tuple(2).op(b"\x81")
                     .op(b"}").str("state").int(2).op(b"s").op(b"b")]),
         OK, get_json_contains='"$class":"evil_pkg.mod.Thing"')

    n = "newobj_ex_arbitrary"
    case(n, "NEWOBJ_EX of socket.socket with args and kwargs",
         array_file([lambda a: a.stack_global("socket", "socket").int(2).int(1).tuple(2)
                     .op(b"}").str("proto").int(0).op(b"s").op(b"\x92")]),
         OK, get_json_contains='"$class":"socket.socket"', dangerous=["socket.socket"])

    n = "bare_dangerous_global"
    case(n, "a bare global (os.system as a value, never called) and BUILD onto an inert object",
         array_file([lambda a: a.glob("os", "system"),
                     lambda a: a.call("collections", "Counter").op(b"}").str("a").int(1).op(b"s").op(b"b")]),
         OK, get_json_contains='"$global":"os.system"', dangerous=["os.system"])

    n = "persistent_ids"
    case(n, "PERSID and BINPERSID (np.load has no persistent_load: it raises)",
         array_file([lambda a: a.op(b"P", b"some-id\n"), lambda a: a.str("bin-id").op(b"Q"),
                     lambda a: a.int(5).op(b"Q")]),
         OK, get_json_contains='"$persistent_id"')

    n = "ext_codes"
    case(n, "EXT1, EXT2, EXT4 codes, one of them called",
         array_file([lambda a: a.op(b"\x82", b"\x01"), lambda a: a.op(b"\x83", struct.pack("<H", 513)),
                     lambda a: a.op(b"\x84", struct.pack("<i", 0x7fffffff)).tuple(0).reduce()]),
         OK, get_json_contains='"$extension_code"')

    n = "zero_bytes_bomb"
    case(n, "builtins.bytes(2**62) and bytearray(2**62): zero bytes np.load would allocate",
         array_file([lambda a: a.call("builtins", "bytes", TWO_62), lambda a: a.call("builtins", "bytearray", TWO_62)]),
         OK, get_json_contains='"$class":"builtins.bytes"')

    n = "codecs_zlib"
    case(n, "_codecs.encode(x, 'zlib') stays inert", array_file([lambda a: a.call("_codecs", "encode", "x", "zlib")]),
         OK, get_json_contains='"$class":"_codecs.encode"')

    # --- memo -------------------------------------------------------------------------------
    case("get_unset_memo", "BINGET of a memo slot nothing stored",
         array_file([plain(1), lambda a: a.get(200)]), SCAN_ERROR, error_contains="BINGET")
    case("long_binget_huge", "LONG_BINGET 0xFFFFFFFF",
         array_file([lambda a: a.op(b"j", b"\xff\xff\xff\xff")]), SCAN_ERROR, error_contains="LONG_BINGET")
    case("put_out_of_sequence", "LONG_BINPUT 0xFFFFFFFF (Python's picklers number sequentially)",
         array_file([lambda a: a.int(1).op(b"r", b"\xff\xff\xff\xff")]), SCAN_ERROR, error_contains="PUT")

    # --- claimed lengths far beyond the file -----------------------------------------------------
    lengths = [
        ("BINUNICODE8", b"\x8d", struct.pack("<Q", TWO_62)),
        ("BINBYTES8", b"\x8e", struct.pack("<Q", TWO_62)),
        ("BYTEARRAY8", b"\x96", struct.pack("<Q", TWO_62)),
        ("FRAME", b"\x95", struct.pack("<Q", TWO_62)),
        ("BINUNICODE8", b"\x8d", struct.pack("<Q", (1 << 64) - 1)),
        ("BINBYTES8", b"\x8e", struct.pack("<Q", 1 << 63)),
        ("FRAME", b"\x95", struct.pack("<Q", (1 << 64) - 1)),
        ("BINUNICODE", b"X", struct.pack("<I", 0xFFFFFFFF)),
        ("BINBYTES", b"B", struct.pack("<I", 0xFFFFFFFF)),
        ("BINSTRING", b"T", struct.pack("<i", 0x7FFFFFFF)),
        ("BINSTRING", b"T", struct.pack("<i", -1)),
        ("LONG4", b"\x8b", struct.pack("<i", 0x7FFFFFFF)),
        ("LONG4", b"\x8b", struct.pack("<i", -5)),
        ("SHORT_BINUNICODE", b"\x8c", b"\xff"),
        ("SHORT_BINBYTES", b"C", b"\xff"),
        ("SHORT_BINSTRING", b"U", b"\xff"),
        ("LONG1", b"\x8a", b"\xff"),
    ]
    for i, (name, code, arg) in enumerate(lengths):
        value = struct.unpack("<Q", arg)[0] if len(arg) == 8 else (
            struct.unpack("<i" if name in ("BINSTRING", "LONG4") else "<I", arg)[0] if len(arg) == 4 else arg[0])
        cname = "len_%s_%s" % (name.lower(), "2e62" if value == TWO_62 else str(value).replace("-", "neg"))
        case(cname, "%s claiming %d bytes (the last element; a few bytes remain)" % (name, value),
             array_file([plain("ok"), lambda a, c=code, g=arg: a.op(c, g)]), SCAN_ERROR, error_contains=name)

    # --- depth -------------------------------------------------------------------------------
    deep = 100_000
    case("deep_list_100k", "a list nested 100 000 deep (EMPTY_LIST x 100000, APPEND x 99999)",
         array_file([lambda a: a.raw(b"]" * deep + b"a" * (deep - 1)), plain(0)]), ELEMENT_ERROR,
         error_contains="deeper than")
    case("deep_tuple_100k", "a tuple nested 100 000 deep (MARK x 100000, NONE, TUPLE x 100000)",
         array_file([lambda a: a.raw(b"(" * deep + b"N" + b"t" * deep)]), ELEMENT_ERROR, error_contains="deeper than")
    case("deep_dict_100k", "dicts nested 100 000 deep ({'k': {'k': ...}} by EMPTY_DICT key ... SETITEM)",
         array_file([lambda a: a.raw((b"}\x8c\x01k") * deep + b"N" + b"s" * deep)]), ELEMENT_ERROR,
         error_contains="deeper than")
    case("deep_stack_300k", "300 000 items on the pickle stack at once (beyond the scanner's 262 144 limit)",
         array_file([lambda a: a.raw(b"(" + b"N" * 300_000 + b"l")]), SCAN_ERROR, error_contains="262")

    # --- expansion bombs ----------------------------------------------------------------------
    def dag_bomb(width, levels):
        def build(a):
            a.op(b"]")
            prev = a.put()
            for _ in range(levels):
                a.op(b"0").mark()  # POP the previous level: it stays reachable through the memo
                for _ in range(width):
                    a.get(prev)
                a.op(b"l")
                prev = a.put()
        return build
    case("dag_bomb_1000x30", "each list holds the previous one 1000 times, 30 levels: 1000^30 leaves if expanded",
         array_file([dag_bomb(1000, 30)]), ELEMENT_ERROR, error_contains="expand")
    case("dup_bomb_2x100", "DUP doubling: (x, x) with x the previous tuple, 100 levels (2^100 leaves)",
         array_file([lambda a: a.raw(b"N" + b"2\x86" * 100)]),
         ELEMENT_ERROR, error_contains="expand")
    case("dag_bomb_across_elements", "element k is a list of element k-1 taken 10 times (BINGET), 40 elements",
         array_file(dag_chain(40, 10)), dict(info="ok", index="ok", get="ok", export="error"),
         error_contains="expand", get_json_contains="[]")

    # --- shape and structure ------------------------------------------------------------------
    case("shape_too_big", "header shape (5,) but the pickle's list holds 3 elements",
         array_file([plain(1), plain(2), plain(3)], shape="(5,)"), SCAN_ERROR, error_contains="shape")
    case("shape_too_small", "header shape (2,) but the pickle's list holds 3 elements",
         array_file([plain(1), plain(2), plain(3)], shape="(2,)"), SCAN_ERROR, error_contains="shape")
    case("shape_overflow", "header shape (2**62, 2**62): the element count overflows 64 bits",
         array_file([plain(1)], shape="(%d, %d)" % (TWO_62, TWO_62)), HEADER_ERROR, error_contains="shape")
    case("bare_dict_pickle", "a valid object header, then a pickled dict instead of an ndarray",
         header(shape_of(1)) + b"\x80\x04}\x8c\x01a\x94K\x01s.", SCAN_ERROR, error_contains="no element list")
    case("bare_list_pickle", "a valid object header (shape (3,)), then a pickled list of 3 ints",
         header(shape_of(3)) + b"\x80\x04](K\x01K\x02K\x03e.", SCAN_ERROR, error_contains="no element list")
    case("empty_pickle", "a valid object header and no pickle at all", header(shape_of(1)), HEADER_ERROR,
         error_contains="ends before STOP")
    case("stop_only", "a valid object header and a pickle of just STOP", header(shape_of(1)) + b".", SCAN_ERROR,
         error_contains="STOP")
    good = array_file([plain("a"), plain("b")])
    case("trailing_garbage", "a valid array pickle followed by 64 bytes of garbage after STOP",
         good + b"\xde\xad\xbe\xef" * 16, dict(info="ok", index="ok", get="ok", export="ok"),
         get_json_contains='"a"')
    case("two_pickles", "two complete array pickles back to back", good + good[len(header(shape_of(2))):],
         dict(info="ok", index="ok", get="ok", export="ok"), get_json_contains='"a"')
    case("ndarray_element_huge_shape", "an ndarray element whose BUILD claims shape (2**40, 2**40) with 8 data bytes",
         array_file([ndarray_element((1 << 40, 1 << 40), b"\0" * 8)]), ELEMENT_ERROR, error_contains="BUILD")
    case("numpy_ndarray_call_huge", "numpy.ndarray((2**62,), float): np.load would allocate it; stays inert",
         array_file([lambda a: a.glob("numpy", "ndarray").int(TWO_62).tuple(1).str("f8").tuple(2).reduce()]),
         OK, get_json_contains='"$class":"numpy.ndarray"')
    case("long_text_int", "protocol-0 INT with 100 000 digits (Python refuses above 4300)",
         array_file([lambda a: a.op(b"I", b"9" * 100_000 + b"\n")]), ELEMENT_ERROR, error_contains="4300")
    case("long4_256kib", "LONG4 of 256 KiB: an int of 630 000 decimal digits",
         array_file([lambda a: a.op(b"\x8b", struct.pack("<i", 1 << 18) + b"\x7f" * (1 << 18))]),
         ELEMENT_ERROR, error_contains="4300 decimal digits")

    # --- headers ------------------------------------------------------------------------------
    body = bytes(array_file([plain(1)]))[len(header(shape_of(1))):]
    case("header_extra_key", "header dict with an extra key", header(shape_of(1), extra="'evil': 1") + body,
         HEADER_ERROR, error_contains="header")
    case("header_missing_shape", "header dict without 'shape'",
         header_bytes("{'descr': '|O', 'fortran_order': False, }") + body, HEADER_ERROR, error_contains="header")
    case("header_python_call", "header with a Python expression: __import__('os').system('touch MARKER')",
         header_bytes("{'descr': '|O', 'fortran_order': False, 'shape': __import__('os').system('touch %s'), }"
                      % marker("header_python_call")) + body, HEADER_ERROR, error_contains="header",
         marker_file=True)
    case("header_python_arith", "header with arithmetic in the shape: (1+0,)",
         header_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (1+0,), }") + body, HEADER_ERROR,
         error_contains="header")
    case("header_not_dict", "header text is a list", header_bytes("['descr', '|O']") + body, HEADER_ERROR,
         error_contains="header")
    case("header_deep_parens", "shape nested 30 000 parentheses deep (format 2.0 header)",
         header_bytes("{'descr': '|O', 'fortran_order': False, 'shape': %s1%s, }" % ("(" * 30000, ",)" * 30000),
                      (2, 0)) + body, HEADER_ERROR, error_contains="header")
    case("header_len_huge_v2", "format 2.0 header length 0xFFFFFFFF",
         b"\x93NUMPY\x02\x00\xff\xff\xff\xff{'descr': '|O'}", HEADER_ERROR, error_contains="header")
    case("header_descr_expression", "descr is a Python expression string with a dtype name np.load would eval",
         header_bytes("{'descr': \"__import__('os').system('touch %s')\", 'fortran_order': False, 'shape': (1,), }"
                      % marker("header_descr_expression")) + body, HEADER_ERROR, error_contains="not understood",
         marker_file=True)
    # (npz_renamed, an .npz renamed to .npy, is no longer hostile: archives are recognised by their
    # bytes, as np.load recognises them, and read as archives; see docs/npz.md and NpzCommandsTest.)

    # --- made by NumPy itself ---------------------------------------------------------------
    np_case = numpy_saved_reduce()
    if np_case is not None:
        case("np_save_posix_system", "np.save of an object array whose element reduces to os.system "
             "('touch MARKER'): protocol 4, frames, STACK_GLOBAL posix.system, written by NumPy "
             + np_case[1], np_case[0], OK, get_json_contains='"first"',
             dangerous=["posix.system"], marker_file=True)


def dag_chain(count, width):
    state = {}

    def element(k):
        def build(a):
            if k == 0:
                a.op(b"]")
            else:
                a.mark()
                for _ in range(width):
                    a.get(state[k - 1])
                a.op(b"l")
            state[k] = a.put()
        return build
    return [element(k) for k in range(count)]


def ndarray_element(shape, data):
    def build(a):
        a.glob("numpy.core.multiarray", "_reconstruct").glob("numpy", "ndarray")
        a.int(0).tuple(1).bytes(b"b").tuple(3).reduce()
        a.mark().int(1)
        a.mark()
        for d in shape:
            a.int(d)
        a.tuple()
        a.glob("numpy", "dtype").str("f8").op(b"\x89").op(b"\x88").tuple(3).reduce()
        a.mark().int(3).str("<").none().none().none().int(-1).int(-1).int(0).tuple().op(b"b")
        a.op(b"\x89").bytes(data).tuple().op(b"b")
    return build


def numpy_saved_reduce():
    try:
        import numpy as np
    except ImportError:
        return None

    class Pwn:
        def __reduce__(self):
            return (os.system, ("touch " + marker("np_save_posix_system"),))

    arr = np.empty(3, dtype=object)
    arr[0] = "first"
    arr[1] = Pwn()
    arr[2] = [1, 2]
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue(), np.__version__


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "testdata", "hostile")
    out = os.path.normpath(out)
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.endswith(".npy") or name.endswith(".json"):
            os.remove(os.path.join(out, name))
    build_cases()
    names = set()
    for c in CASES:
        assert c["case"] not in names, c["case"]
        names.add(c["case"])
        data = bytes(c.pop("data"))
        with open(os.path.join(out, c["case"] + ".npy"), "wb") as f:
            f.write(data)
        c["file_size"] = len(data)
        with open(os.path.join(out, c["case"] + ".json"), "w", encoding="utf-8") as f:
            json.dump(c, f, indent=1, sort_keys=True)
            f.write("\n")
    print("wrote %d cases to %s" % (len(CASES), out))


if __name__ == "__main__":
    main()
