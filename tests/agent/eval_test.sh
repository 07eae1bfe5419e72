#!/usr/bin/env bash
# Generates a small labelled set of letters and runs `tabel agent-eval` on it:
# the pipeline must decide at least 95% of them right and accept no invented
# value (agent-eval's exit status).
#
#   tests/agent/eval_test.sh path/to/tabel [COUNT]
set -euo pipefail
tabel=$1
count=${2:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Debian's python3 (python3-pil), not whichever python3 is first on PATH.
/usr/bin/python3 "$here/generate.py" "$dir" --count "$count" --seed 3
# One OCR thread per letter, as the service runs it.
OMP_THREAD_LIMIT=1 "$tabel" agent-eval "$dir"
