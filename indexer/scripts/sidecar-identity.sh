#!/usr/bin/env bash
# Byte-identity of sidecars between two builds (docs/indexer.md): every .npy under testdata/ and
# examples/ at checkpoint intervals 1, 7 and 1024 (sidecar bytes, or the same error message), and
# the three bench files at the default interval.
#
#     indexer/scripts/sidecar-identity.sh BASE_JAR NEW_JAR
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
base_jar="$1"
new_jar="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && find testdata examples -name '*.npy' | sort) | sed "s|^|$root/|" >"$work/files.txt"
for side in base new; do
  jar="${side}_jar"
  java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "${!jar}" "$root/indexer/scripts/SidecarDump.java" \
    "$work/$side" <"$work/files.txt"
done
echo "files: $(wc -l <"$work/files.txt"), outcomes: $(wc -l <"$work/new/outcomes.txt")," \
  "sidecars: $(grep -c ': sidecar$' "$work/new/outcomes.txt"), errors: $(grep -c ': error' "$work/new/outcomes.txt")"
diff -r "$work/base" "$work/new" && echo "corpus: identical"
for f in dicts strings ragged_f4; do
  [ -f "$root/bench-data/$f.npy" ] || continue
  for side in base new; do
    jar="${side}_jar"
    java --add-opens=java.base/java.nio=ALL-UNNAMED -XX:+UseSerialGC -jar "${!jar}" \
      index "$root/bench-data/$f.npy" --index "$work/$side-$f.npyidx" --force >/dev/null
  done
  cmp "$work/base-$f.npyidx" "$work/new-$f.npyidx" && echo "$f.npy: identical"
done
