package org.npyconv.converter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code npyconv} command: subcommands for reading, indexing and converting NumPy files.
 *
 * <p>Exit codes follow Unix habits: 0 success; 1 a failure of the input or the run, reported as one
 * {@code error: ...} line on stderr (a stack trace only with {@code --debug}); 2 a usage error.
 */
public final class NpyconvCommand implements Runnable {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    /** Standard output closed under a streaming command (a pipe's reader exited): SIGPIPE's shell status. */
    static final int EXIT_OUTPUT_CLOSED = 141;

    /**
     * The subcommands in the order {@code --help} lists them. Each model is built in code
     * ({@link CommandModel}) and only for the subcommand the command line names: building all of
     * them by reflection cost about 0.1 s of a cold {@code npyconv get} (docs/startup.md).
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("info", InfoCommand::spec);
        m.put("index", IndexCommand::spec);
        m.put("get", GetCommand::spec);
        m.put("export", ExportCommand::spec);
        m.put("verify", VerifyCommand::spec);
        m.put("convert", ConvertCommand::spec);
        m.put("help", CommandLine.HelpCommand::new);
        return m;
    }

    private boolean debug;
    private CommandSpec spec;

    /** The command line model of the root command, without its subcommands. */
    static CommandSpec spec() {
        // Two picocli start-up costs that buy nothing here (docs/startup.md): looking for Groovy's
        // Closure class (a failed search of the class path) and registering converters for java.sql
        // and java.time types (loading and reflecting over them); no option of ours has such a type.
        System.getProperties().putIfAbsent("picocli.disable.closures", "true");
        System.getProperties().putIfAbsent("picocli.converters.excludes", "java\\.sql\\..*,java\\.time\\..*");
        // Arrow's allocator gets an SLF4J logger: named, the provider we ship (slf4j-nop) is loaded
        // directly instead of through a ServiceLoader search of the whole jar (~10-20 ms).
        System.getProperties().putIfAbsent("slf4j.provider", "org.slf4j.nop.NOPServiceProvider");
        // ... which SLF4J announces on stderr at its INFO level: commands print only their own lines.
        System.getProperties().putIfAbsent("slf4j.internal.verbosity", "WARN");
        NpyconvCommand c = new NpyconvCommand();
        c.spec = CommandModel.of(c, "npyconv", "Read, index and convert NumPy .npy object arrays without executing their pickles.")
                .option(OptionSpec.builder("--debug").scopeType(CommandLine.ScopeType.INHERIT)
                                .description("Print stack traces of failures."),
                        boolean.class, () -> c.debug, v -> c.debug = v)
                .spec();
        c.spec.usageMessage().autoWidth(true);
        return c.spec;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        if ("convert".equals(subcommandName(args))) {
            // First of all, so that Arrow's Schema and type classes initialize on another core while
            // the command line model is built and the array opened (ChunkedOutput.prepareArrow).
            org.npyconv.converter.output.ChunkedOutput.prepareArrow();
        }
        PrintWriter out = new StandardOutput(System.out);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = execute(args, out, err);
        out.flush();
        System.exit(code);
    }

    /** Runs one command line with the given streams and returns its exit code; never throws. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CommandLine cli = new CommandLine(spec());
        String chosen = subcommandName(args);
        if ("convert".equals(chosen)) {
            // When called as a library entry point rather than from main (a no-op after main's call).
            org.npyconv.converter.output.ChunkedOutput.prepareArrow();
        }
        for (Map.Entry<String, Supplier<Object>> e : SUBCOMMANDS.entrySet()) {
            if (chosen == null || chosen.equals(e.getKey())) {
                cli.addSubcommand(e.getKey(), e.getValue().get());
            }
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            out.flush();
            return FailureReport.report(ex, debug, err);
        });
        cli.setParameterExceptionHandler((ex, args2) -> {
            out.flush();
            err.println("error: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            if (debug) {
                ex.printStackTrace(err);
            }
            return EXIT_USAGE;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // Reached only through a bug: every input-driven allocation is bounded before it happens.
            out.flush();
            return FailureReport.report(e, debug, err);
        } finally {
            out.flush();
        }
    }

    /**
     * The subcommand this command line runs, or null when that takes all of them to know (root
     * options only, {@code help}, a misspelt name): the first argument that is not a root option.
     */
    private static String subcommandName(String[] args) {
        for (String a : args) {
            if (a.equals("--debug")) {
                continue;
            }
            return SUBCOMMANDS.containsKey(a) && !a.equals("help") ? a : null;
        }
        return null;
    }

    /**
     * The version from the jar's manifest (Implementation-Version), else (classes run from a
     * directory, as in tests) from the version.properties Maven filtered. The manifest comes with
     * the classes from the class-data archive; the resource lookup would open the jar (~18 ms).
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"npyconv " + version()};
        }

        static String version() {
            String manifest = NpyconvCommand.class.getPackage().getImplementationVersion();
            if (manifest != null) {
                return manifest;
            }
            try (InputStream in = NpyconvCommand.class.getResourceAsStream("/org/npyconv/converter/version.properties")) {
                Properties p = new Properties();
                if (in != null) {
                    p.load(in);
                }
                return p.getProperty("version", "unknown");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
