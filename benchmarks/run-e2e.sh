#!/usr/bin/env bash
# End-to-end benchmark of npyconv against the Python pipeline (numpy + pyarrow); writes
# docs/benchmarks.md. See docs/benchmarks.md ("Reproducing") for what it measures.
#
#   benchmarks/run-e2e.sh                  # default sizes (~600 MB in bench-data/), 3 rounds
#   benchmarks/run-e2e.sh --scaling        # + the same content at 1x, 2x, 4x
#   benchmarks/run-e2e.sh --quick          # smoke test on tiny files; report in bench-data/quick/
#   benchmarks/run-e2e.sh --help           # --scale K, --runs N, --only, --data-dir, --output, ...
#
# Environment: VENV_DIR, a venv with numpy 2.4.6 + pyarrow 25.0.1 (default: .venv/np2, created
# offline by tools/setup-python.sh when missing).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
venv="${VENV_DIR:-$root/.venv/np2}"
if [ -z "${VENV_DIR:-}" ]; then
  "$root/tools/setup-python.sh" >&2
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "error: no Python at $venv/bin/python (set VENV_DIR or run tools/setup-python.sh)" >&2
  exit 1
fi
exec "$venv/bin/python" "$root/benchmarks/e2e/run.py" "$@"
