#!/usr/bin/env bash
# Resignation-letter agent benchmark: scanned letters from upload to
# decision, end to end over HTTP, against a release build of tabel on its
# embedded defaults (SQLite, the in-process queue).
#   bench/agent/run.sh [letters] [consumer threads]   (defaults 40, 2)
#
# The figures issue 8 asks for: letters per minute per core, and the p95
# from upload to decision.
#
# It generates `letters` labelled synthetic scans (tests/agent/generate.py,
# seed 7: printed and handwriting-like fonts, noise, rotation, PNG, JPEG,
# TIFF and PDF) and starts `tabel serve --demo` with TABEL_WORKER_THREADS
# consumer threads. As hr it uploads every letter at once (for the demo
# `employee`, so most are decided needs_corrections for another person's
# name: the same reading, the same cost), then polls the list until none is
# processing. From each
# letter's own times it takes the time from upload (created_at) to decision
# (decided_at): median and p95. Throughput: letters decided per minute of
# wall time, and per minute of tabel's CPU time (/proc: "per core"). It
# prints a Markdown table for docs/benchmarks.md; progress goes to stderr.
#
# The server is build/release/tabel, or TABEL_BENCH_BINARY (copied at start).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

letters="${1:-40}"
threads="${2:-2}"
password="${TABEL_DEMO_PASSWORD:-demo}"
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

work="$(mktemp -d -t tabel-bench-agent.XXXXXX)"
bench_name=agent
# shellcheck source=bench/lib.sh
source bench/lib.sh

echo "generating $letters letters" >&2
/usr/bin/python3 tests/agent/generate.py "$work/letters" --count "$letters" --seed 7 >&2

export TABEL_WORKER_THREADS="$threads"
# One OCR thread per letter, as the image runs it (OpenMP reads this at start).
export OMP_THREAD_LIMIT="${OMP_THREAD_LIMIT:-1}"
start_tabel "sqlite://$work/tabel.db" 1
token="$(login hr)"
before="$(cpu_ticks)"

python3 - "$port" "$token" "$work/letters" "$letters" <<'PY' >"$work/times"
import datetime, glob, json, os, sys, time, urllib.request, uuid
port, token, folder, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
base = f"http://127.0.0.1:{port}/api/v1/resignation-letters"
auth = {"Authorization": f"Bearer {token}"}
files = sorted(f for f in glob.glob(os.path.join(folder, "letter-*")) if not f.endswith(".json"))[:count]
start = time.time()
for path in files:
    boundary = uuid.uuid4().hex
    with open(path, "rb") as f:
        data = f.read()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"employee_id\"\r\n\r\n4\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{os.path.basename(path)}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(base, data=body, method="POST",
                                     headers={**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    urllib.request.urlopen(request).read()
print(f"uploaded {len(files)} in {time.time() - start:.1f} s", file=sys.stderr)
def parse(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
while True:
    items, cursor = [], None
    while True:
        url = base + "?limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = json.load(urllib.request.urlopen(urllib.request.Request(url, headers=auth)))
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    waiting = sum(1 for item in items if item["status"] == "processing")
    if waiting == 0:
        break
    print(f"{len(items) - waiting}/{len(items)} decided", file=sys.stderr)
    time.sleep(1)
wall = time.time() - start
outcomes = {}
for item in items:
    outcomes[item["status"]] = outcomes.get(item["status"], 0) + 1
    print((parse(item["decided_at"]) - parse(item["created_at"])).total_seconds())
print(f"wall {wall:.3f} {json.dumps(outcomes)}", file=sys.stderr)
print(f"wall {wall:.3f}")
PY
after="$(cpu_ticks)"
stop_tabel

python3 - "$work/times" "$before" "$after" "$letters" "$threads" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
lines = open(sys.argv[1]).read().split()
wall = float(lines[lines.index("wall") + 1])
latencies = sorted(float(x) for x in lines[:lines.index("wall")])
before, after = [int(x) for x in sys.argv[2].split()], [int(x) for x in sys.argv[3].split()]
letters, threads, hz = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
cpu = (after[0] - before[0]) / hz
p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
print("| letters | consumer threads | wall | per minute (wall) | per minute per core (CPU) | upload→decision median | p95 | tabel CPU per letter |")
print("|---|---|---|---|---|---|---|---|")
print(f"| {letters} | {threads} | {wall:.1f} s | {60 * letters / wall:.1f} | {60 * letters / cpu:.1f} | "
      f"{statistics.median(latencies):.1f} s | {p95:.1f} s | {cpu / letters:.2f} s |")
PY
