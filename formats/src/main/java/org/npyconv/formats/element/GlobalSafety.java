package org.npyconv.formats.element;

import java.util.Set;

/**
 * What a global named in a pickle would do under {@code np.load(allow_pickle=True)}, and whether
 * npyconv builds a real value from it.
 *
 * <ul>
 *   <li>{@link #NUMPY}: the NumPy reconstruction functions an object array's pickle is made of;
 *       npyconv builds {@link NdArray}, {@link NumpyDtype}, {@link NumpyScalar} from them.</li>
 *   <li>{@link #SAFE}: the rest of npyconv's closed allowlist (datetime, Decimal, set, frozenset,
 *       bytes, bytearray, complex, OrderedDict, {@code _codecs.encode}, {@code copyreg._reconstructor});
 *       npyconv builds real values from them.</li>
 *   <li>{@link #UNKNOWN}: anything else that is not known to run code; npyconv records an inert
 *       {@link PyObject}, but {@code np.load} would import the module and call into it.</li>
 *   <li>{@link #DANGEROUS}: {@code np.load} would execute arbitrary code or touch the system
 *       (processes, files, network, imports, code objects, nested unpickling, attribute-access
 *       chains). npyconv records an inert {@link PyObject} and {@code info} flags it.</li>
 * </ul>
 *
 * <p>The dangerous list follows the categories of Trail of Bits' fickling (its unsafe-imports list
 * and safe-builtins list), condensed: whole modules that run processes, code or imports, reach the
 * file system or network, load native code or unpickle again; the builtins that evaluate, import,
 * open or reach attributes by name; the operator/functools helpers that turn a data pickle into a
 * call chain. See docs/elements.md "Global safety". Stateless and thread-safe.
 */
public enum GlobalSafety {
    NUMPY, SAFE, UNKNOWN, DANGEROUS;

    private static final Set<String> NUMPY_GLOBALS = Set.of(
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.ndarray", "numpy.dtype",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
            "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer");

    private static final Set<String> SAFE_GLOBALS = Set.of(
            "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
            "decimal.Decimal", "collections.OrderedDict", "_codecs.encode",
            "copy_reg._reconstructor", "copyreg._reconstructor");

    /** Builtins npyconv builds (module {@code builtins} or {@code __builtin__}). */
    private static final Set<String> SAFE_BUILTINS = Set.of("set", "frozenset", "bytearray", "bytes", "complex");

    /** Builtins that evaluate code, import, open files, or reach attributes/namespaces by name. */
    private static final Set<String> DANGEROUS_BUILTINS = Set.of(
            "eval", "exec", "execfile", "compile", "open", "file", "input", "raw_input", "breakpoint",
            "getattr", "setattr", "delattr", "hasattr", "__import__", "reload", "apply",
            "globals", "locals", "vars", "memoryview", "help", "exit", "quit", "__loader__", "__spec__");

    /** Modules (and their submodules) whose globals run processes, code, imports, I/O or native code. */
    private static final Set<String> DANGEROUS_MODULES = Set.of(
            // processes and the interpreter itself
            "os", "posix", "nt", "subprocess", "_posixsubprocess", "sys", "pty", "commands", "popen2",
            "multiprocessing", "signal", "_signal", "threading", "_thread", "atexit", "gc",
            // code execution, compilation, debugging, profiling
            "code", "codeop", "runpy", "marshal", "types", "doctest", "pdb", "bdb", "trace", "timeit",
            "profile", "cProfile", "inspect", "compileall", "py_compile", "_interpreters",
            "_xxsubinterpreters", "idlelib", "lib2to3", "pydoc", "unittest", "test",
            // imports
            "importlib", "_frozen_importlib", "_frozen_importlib_external", "_imp", "imp", "pkgutil",
            "zipimport", "site", "ensurepip", "venv", "pip",
            // attribute-access / call chains
            "operator", "_operator", "functools",
            // nested unpickling
            "pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib", "shelve",
            // native code
            "ctypes", "_ctypes", "cffi", "mmap",
            // files
            "io", "_io", "shutil", "tempfile", "filecmp", "fileinput", "glob", "linecache", "tarfile",
            "zipfile", "distutils", "sqlite3", "_sqlite3", "logging", "syslog", "platform", "uuid",
            "_osx_support", "_aix_support", "pipes", "pexpect",
            // network
            "socket", "_socket", "ssl", "http", "httplib", "urllib", "urllib2", "requests", "aiohttp",
            "asyncio", "webbrowser", "smtplib", "imaplib", "ftplib", "poplib", "telnetlib", "nntplib",
            "socketserver", "SocketServer", "xmlrpc", "xmlrpclib", "select", "selectors",
            // NumPy's own code runners and native loaders
            "numpy.testing", "numpy.f2py", "numpy.distutils", "numpy.ctypeslib");

    /** Classifies {@code module.name} as the file spells it ({@code __builtin__} and {@code builtins} alike). */
    public static GlobalSafety classify(String module, String name) {
        String qualified = module + "." + name;
        if (NUMPY_GLOBALS.contains(qualified)) {
            return NUMPY;
        }
        boolean builtin = module.equals("builtins") || module.equals("__builtin__") || module.equals("__builtins__");
        if (SAFE_GLOBALS.contains(qualified) || (builtin && SAFE_BUILTINS.contains(name))) {
            return SAFE;
        }
        if (builtin) {
            // A dotted name (e.g. "getattr.__call__") reaches the same function.
            String head = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
            return DANGEROUS_BUILTINS.contains(head) ? DANGEROUS : UNKNOWN;
        }
        for (String m = module; ; m = m.substring(0, m.lastIndexOf('.'))) {
            if (DANGEROUS_MODULES.contains(m)) {
                return DANGEROUS;
            }
            if (m.indexOf('.') < 0) {
                break;
            }
        }
        return UNKNOWN;
    }

    /** True for {@link #NUMPY} and {@link #SAFE}: npyconv builds a real value from calls to it. */
    public boolean buildsValues() {
        return this == NUMPY || this == SAFE;
    }
}
