package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class PickleOpcodeTest {

    @Test
    void tableMapsEveryByte() {
        int known = 0;
        for (int b = 0; b < 256; b++) {
            PickleOpcode op = PickleOpcode.of(b);
            if (op != null) {
                assertEquals(b, op.code());
                known++;
            }
        }
        assertEquals(68, known);
        assertEquals(PickleOpcode.values().length, known);
        assertNull(PickleOpcode.of(-1));
        assertNull(PickleOpcode.of(256));
        assertSame(PickleOpcode.STOP, PickleOpcode.of('.'));
        assertSame(PickleOpcode.READONLY_BUFFER, PickleOpcode.of(0x98));
    }

    /** Name, code byte, protocol and argument descriptor of every opcode, as CPython lists them. */
    @Test
    @EnabledIf("org.npyconv.formats.pickle.PythonGenopsCorpus#available")
    void matchesPickletoolsOpcodeTable() throws IOException, InterruptedException {
        String script = "import pickletools\n"
                + "for o in pickletools.opcodes:\n"
                + "    print(o.name, ord(o.code), o.proto, o.arg.name if o.arg else 'none')\n";
        Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);

        Map<String, String> python = new TreeMap<>();
        for (String line : out.strip().split("\n")) {
            python.put(line.substring(0, line.indexOf(' ')), line.strip());
        }
        Map<String, String> java = new TreeMap<>();
        for (PickleOpcode op : PickleOpcode.values()) {
            java.put(op.name(), op.name() + " " + op.code() + " " + op.protocol() + " "
                    + op.argKind().name().toLowerCase(Locale.ROOT));
        }
        assertEquals(python, java);
    }
}
