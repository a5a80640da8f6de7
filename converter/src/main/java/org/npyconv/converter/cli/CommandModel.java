package org.npyconv.converter.cli;

import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * picocli's model of one command, built in code instead of read from annotations.
 *
 * <p>Why: building the model from {@code @Command}/{@code @Option} annotations cost every command
 * about 55 ms of its start (the JDK parses each member's annotations and generates a proxy class
 * for every annotation type, none of which the class-data archive can hold), a fifth of a cold
 * {@code npyconv get} (docs/startup.md). Options bind to the command's fields through lambdas, not
 * reflection. The usage help is picocli's, as before.
 */
final class CommandModel {
    private final CommandSpec spec;

    private CommandModel(CommandSpec spec) {
        this.spec = spec;
    }

    /**
     * A command named {@code name} that runs {@code command} ({@code Runnable} or {@code Callable}),
     * with {@code -h/--help} and {@code -V/--version} as {@code mixinStandardHelpOptions} gives them.
     */
    static CommandModel of(Object command, String name, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        spec.name(name);
        spec.versionProvider(new NpyconvCommand.Version());
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return new CommandModel(spec);
    }

    /** Adds an option whose value {@code set} stores; {@code get} gives the value it starts with. */
    <V> CommandModel option(OptionSpec.Builder option, Class<V> type, Supplier<V> get, Consumer<V> set) {
        Binding<V> binding = new Binding<>(get, set);
        spec.addOption(option.type(type).getter(binding).setter(binding).initialValue(get.get()).build());
        return this;
    }

    /** Adds a positional parameter, as {@link #option}; required unless its arity allows none, as with {@code @Parameters}. */
    <V> CommandModel positional(PositionalParamSpec.Builder parameter, Class<V> type, Supplier<V> get, Consumer<V> set) {
        Binding<V> binding = new Binding<>(get, set);
        CommandLine.Range arity = parameter.arity();
        spec.addPositional(parameter.required(arity == null || arity.min() > 0).type(type).getter(binding).setter(binding).initialValue(get.get()).build());
        return this;
    }

    CommandSpec spec() {
        return spec;
    }

    /** One field of a command, as picocli reads and writes it. */
    private static final class Binding<V> implements CommandLine.Model.IGetter, CommandLine.Model.ISetter {
        private final Supplier<V> get;
        private final Consumer<V> set;

        Binding(Supplier<V> get, Consumer<V> set) {
            this.get = get;
            this.set = set;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) get.get();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            T previous = get();
            set.accept((V) value);
            return previous;
        }
    }
}
