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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code npyconv} command: subcommands for reading, indexing and converting NumPy files.
 *
 * <p>Exit codes follow Unix habits: 0 success; 1 a failure of the input or the run, reported as one
 * {@code error: ...} line on stderr (a stack trace only with {@code --debug}); 2 a usage error.
 */
@Command(
        name = "npyconv",
        mixinStandardHelpOptions = true,
        versionProvider = NpyconvCommand.Version.class,
        description = "Read, index and convert NumPy .npy object arrays without executing their pickles.",
        usageHelpAutoWidth = true)
public final class NpyconvCommand implements Runnable {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    /**
     * The subcommands in the order {@code --help} lists them. Registered in code, not in the
     * annotation, so that a one-shot command builds picocli's model of itself only: building all
     * of them by reflection cost about 0.1 s of a cold {@code npyconv get} (docs/startup.md).
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("info", InfoCommand::new);
        m.put("index", IndexCommand::new);
        m.put("get", GetCommand::new);
        m.put("export", ExportCommand::new);
        m.put("verify", VerifyCommand::new);
        m.put("convert", ConvertCommand::new);
        m.put("help", CommandLine.HelpCommand::new);
        return m;
    }

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of failures.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = execute(args, out, err);
        out.flush();
        System.exit(code);
    }

    /** Runs one command line with the given streams and returns its exit code; never throws. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CommandLine cli = new CommandLine(new NpyconvCommand());
        String chosen = subcommandName(args);
        if ("convert".equals(chosen)) {
            // Arrow's schema class takes 0.1-0.2 s to initialize: meanwhile picocli parses and the array opens.
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

    /** Reads the version Maven filtered into version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"npyconv " + version()};
        }

        static String version() {
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
