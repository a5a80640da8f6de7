import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.npyconv.indexer.Indexer;

/**
 * Indexes every file listed on stdin at checkpoint intervals 1, 7 and 1024 into OUTDIR, writing
 * each sidecar as OUTDIR/<n>-<interval>.npyidx and each outcome (sidecar or error message) as a
 * line of OUTDIR/outcomes.txt, for comparing two builds byte for byte (sidecar-identity.sh).
 *
 *     java -cp npyconv.jar indexer/scripts/SidecarDump.java OUTDIR < files.txt
 */
public class SidecarDump {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        List<String> files = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).lines().toList();
        StringBuilder log = new StringBuilder();
        int n = 0;
        for (String f : files) {
            for (int interval : new int[] {1, 7, 1024}) {
                Path index = out.resolve(n + "-" + interval + ".npyidx");
                String outcome;
                try {
                    Indexer.build(Path.of(f), index, interval, Indexer.Progress.NONE);
                    outcome = "sidecar";
                } catch (Exception e) {
                    outcome = "error " + e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                log.append(f).append(" @").append(interval).append(": ").append(outcome).append('\n');
            }
            n++;
        }
        Files.writeString(out.resolve("outcomes.txt"), log);
    }
}
