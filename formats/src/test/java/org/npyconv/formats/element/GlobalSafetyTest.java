package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobalSafetyTest {
    @ParameterizedTest(name = "{0}.{1} is {2}")
    @CsvSource({
        "numpy.core.multiarray, _reconstruct, NUMPY", "numpy._core.multiarray, _reconstruct, NUMPY",
        "numpy, ndarray, NUMPY", "numpy, dtype, NUMPY", "numpy.core.multiarray, scalar, NUMPY",
        "numpy._core.multiarray, scalar, NUMPY", "numpy.core.numeric, _frombuffer, NUMPY",
        "numpy._core.numeric, _frombuffer, NUMPY",
        "datetime, datetime, SAFE", "datetime, date, SAFE", "datetime, time, SAFE", "datetime, timedelta, SAFE",
        "datetime, timezone, SAFE", "decimal, Decimal, SAFE", "builtins, set, SAFE", "__builtin__, frozenset, SAFE",
        "builtins, bytearray, SAFE", "__builtin__, complex, SAFE", "__builtin__, bytes, SAFE",
        "collections, OrderedDict, SAFE", "_codecs, encode, SAFE", "copy_reg, _reconstructor, SAFE",
        "copyreg, _reconstructor, SAFE",
        "os, system, DANGEROUS", "posix, system, DANGEROUS", "nt, system, DANGEROUS", "os.path, join, DANGEROUS",
        "subprocess, Popen, DANGEROUS", "sys, exit, DANGEROUS", "builtins, eval, DANGEROUS",
        "__builtin__, exec, DANGEROUS", "builtins, compile, DANGEROUS", "builtins, open, DANGEROUS",
        "builtins, getattr, DANGEROUS", "builtins, setattr, DANGEROUS", "builtins, delattr, DANGEROUS",
        "builtins, __import__, DANGEROUS", "builtins, globals, DANGEROUS", "builtins, locals, DANGEROUS",
        "builtins, vars, DANGEROUS", "builtins, input, DANGEROUS", "builtins, breakpoint, DANGEROUS",
        "__builtin__, apply, DANGEROUS", "__builtin__, execfile, DANGEROUS", "builtins, getattr.__call__, DANGEROUS",
        "importlib, import_module, DANGEROUS", "runpy, run_path, DANGEROUS", "pty, spawn, DANGEROUS",
        "shutil, rmtree, DANGEROUS", "socket, socket, DANGEROUS", "pickle, loads, DANGEROUS",
        "_pickle, load, DANGEROUS", "marshal, loads, DANGEROUS", "ctypes, CDLL, DANGEROUS",
        "webbrowser, open, DANGEROUS", "code, interact, DANGEROUS", "types, FunctionType, DANGEROUS",
        "types, CodeType, DANGEROUS", "functools, partial, DANGEROUS", "operator, attrgetter, DANGEROUS",
        "operator, itemgetter, DANGEROUS", "operator, methodcaller, DANGEROUS", "timeit, timeit, DANGEROUS",
        "asyncio, run, DANGEROUS", "multiprocessing.util, spawnv_passfds, DANGEROUS",
        "numpy.testing._private.utils, runstring, DANGEROUS",
        "builtins, list, UNKNOWN", "builtins, object, UNKNOWN", "collections, defaultdict, UNKNOWN",
        "numpy, load, UNKNOWN", "mymodule, Thing, UNKNOWN", "osmosis, run, UNKNOWN", "pandas.core.frame, DataFrame, UNKNOWN"
    })
    void classifies(String module, String name, GlobalSafety expected) {
        assertEquals(expected, GlobalSafety.classify(module, name));
        assertEquals(expected, new PyGlobal(module, name).safety());
        assertEquals(expected == GlobalSafety.NUMPY || expected == GlobalSafety.SAFE, expected.buildsValues());
    }
}
