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

[ -n "${SKIP_BUILD:-}" ] || mvn -B -q install -DskipTests -Dnpyconv.skipPython >/dev/null
# This worktree's own classes, never an npyconv jar another checkout installed into ~/.m2.
classpath=$(mvn -B -q -Dstyle.color=never -pl indexer dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=/dev/stdout | tr ':' '\n' | grep -v '/org/npyconv/' | paste -sd:)
work=target/fuzz/$target
mkdir -p "$work/corpus" "$work/seeds" "testdata/fuzz/$target"
# A snapshot of the classes, so rebuilding the worktree during a long campaign changes nothing under it.
rm -rf "$work/classes" && mkdir -p "$work/classes"
for d in indexer/target/test-classes indexer/target/classes formats/target/test-classes formats/target/classes; do
  cp -r "$d" "$work/classes/$(echo "$d" | tr '/' '_')"
  classpath="$work/classes/$(echo "$d" | tr '/' '_'):$classpath"
done
# The expansion bombs are left out: each takes about a second to refuse uninstrumented, over the
# timeout under instrumentation (HostileCorpusTest covers them).
find testdata/fixtures testdata/corrupt testdata/hostile -name '*.npy' -size -65k ! -name '*_bomb_*' | while read -r f; do
  cp "$f" "$work/seeds/$(echo "$f" | tr '/' '_')"
done

exec java -Xmx1g -Xss4m -XX:+UseSerialGC -cp "$classpath" com.code_intelligence.jazzer.Jazzer \
  --target_class="org.npyconv.indexer.hostile.$target" \
  --instrumentation_includes='org.npyconv.**:net.razorvine.**' \
  --custom_hook_excludes='**' \
  --disabled_hooks='com.code_intelligence.jazzer.sanitizers.FilePathTraversal' \
  --reproducer_path="$work" \
  -artifact_prefix="$work/" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=3072 -max_len=65536 \
  "$@" "$work/corpus" "$work/seeds" "testdata/fuzz/$target"
