#!/usr/bin/env bash
# A fuzzing campaign with Jazzer's standalone driver (docs/robustness.md, "Fuzzing").
#
#   tools/hostile/fuzz.sh TARGET [SECONDS] [libFuzzer options...]
#
# TARGET is one of HeaderFuzzer, PickleReaderFuzzer, IndexerFuzzer, ElementsFuzzer (classes in
# indexer/src/test/java/org/npyconv/indexer/hostile). Seeds are every .npy of testdata up to 64 KiB
# (the real-NumPy fixtures, the corrupt files, the hostile corpus) plus earlier findings in
# testdata/fuzz/TARGET. The growing corpus and any crash-*/timeout-*/oom-* artifacts land in
# target/fuzz/TARGET/. A finding becomes a regression test by copying it into testdata/fuzz/TARGET/
# (FuzzRegressionTest runs every file there through the target in `mvn verify`).
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:?usage: tools/hostile/fuzz.sh TARGET [SECONDS] [libFuzzer options...]}
seconds=${2:-1800}
shift $(( $# >= 2 ? 2 : 1 ))

mvn -B -q install -DskipTests -Dnpyconv.skipPython >/dev/null
# This worktree's own classes, never an npyconv jar another checkout installed into ~/.m2.
classpath=$(mvn -B -q -Dstyle.color=never -pl indexer dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=/dev/stdout | tr ':' '\n' | grep -v '/org/npyconv/' | paste -sd:)
classpath="indexer/target/test-classes:indexer/target/classes:formats/target/test-classes:formats/target/classes:$classpath"

work=target/fuzz/$target
mkdir -p "$work/corpus" "$work/seeds" "testdata/fuzz/$target"
find testdata/fixtures testdata/corrupt testdata/hostile -name '*.npy' -size -65k | while read -r f; do
  cp "$f" "$work/seeds/$(echo "$f" | tr '/' '_')"
done

exec java -Xmx1g -Xss4m -XX:+UseSerialGC -cp "$classpath" com.code_intelligence.jazzer.Jazzer \
  --target_class="org.npyconv.indexer.hostile.$target" \
  --instrumentation_includes='org.npyconv.**:net.razorvine.**' \
  --custom_hook_excludes='**' \
  --disabled_hooks='com.code_intelligence.jazzer.sanitizers.FilePathTraversal' \
  --reproducer_path="$work" \
  -artifact_prefix="$work/" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -max_len=65536 \
  "$@" "$work/corpus" "$work/seeds" "testdata/fuzz/$target"
