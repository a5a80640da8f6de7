#!/usr/bin/env bash
# Creates the Python environments that the fixture generator, the differential checks and the
# benchmarks use. Installs offline from the machine's wheel store; idempotent and quick when done.
#   .venv/np1  numpy 1.26.4                      (writes NumPy 1.x fixtures)
#   .venv/np2  numpy 2.4.6 + pyarrow 25.0.1 + polars 1.44.2
#                                                (NumPy 2.x fixtures, pyarrow and Polars checks, benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."
make_venv() {
  local dir=$1; shift
  local stamp="$dir/.npyconv-requirements"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$*" ]; then return 0; fi
  python3 -m venv "$dir"
  # The machine has no PyPI; its wheel store answers at once, PyPI only after retries.
  local index=()
  [ -d /opt/pypi/simple ] && index=(--index-url file:///opt/pypi/simple)
  "$dir/bin/pip" install --quiet "${index[@]}" "$@"
  echo "$*" > "$stamp"
}
make_venv .venv/np1 numpy==1.26.4
make_venv .venv/np2 numpy==2.4.6 pyarrow==25.0.1 polars==1.44.2
