#!/usr/bin/env bash
# Payroll-base benchmark: the company-wide payroll base of a month as XLSX,
# end to end over HTTP, against a release build of tabel on PostgreSQL with
# the company of `tabel seed --employees 25000 --seed 1`.
#   bench/reports/run.sh [runs] [format]   (defaults 3 runs, xlsx)
#
# The target of issue 6: "the company-wide payroll XLSX for 25,000 people in
# under 5 s end to end with peak memory under 200 MB".
#
# It seeds a fresh database once and starts `tabel serve --demo` (its queue
# consumers in the same process, the defaults otherwise; the demo logins are
# added to the seeded company). As `accountant`, each run
#   POST /api/v1/report-jobs {"kind":"payroll","from":<month>,"format":<format>}
#   GET  /api/v1/report-jobs/{id} every 20 ms until it is done,
#   GET  its download_url,
# with month = the previous calendar month, and takes the time from before
# the POST to the last byte of the file ("end to end"), and from the job's
# own times how long it waited in the queue and how long it took to make.
# The first run's file is checked: a zip whose first sheet has a row per
# person employed in the month (by a query of its own) between the header
# and the total. tabel's resident memory is sampled every 10 ms during each
# run (its peak in the runs), and its peak RSS over the whole process life
# (VmHWM) read after the runs. It prints a Markdown table (medians of the
# runs) for docs/benchmarks.md; progress goes to stderr.
#
# PostgreSQL: a private throwaway cluster (as bench/timesheet/run.sh; needs
# root), or an empty database given as TABEL_BENCH_POSTGRES_URL. The server
# is build/release/tabel, or TABEL_BENCH_BINARY (copied at start).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

runs="${1:-3}"
format="${2:-xlsx}"
postgres_url="${TABEL_BENCH_POSTGRES_URL:-}"
password="${TABEL_DEMO_PASSWORD:-demo}"
employees=25000
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
command -v psql >/dev/null || { echo "psql is missing: apt-get install -y postgresql-client" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

# Only our settings reach tabel (no queue, cache or SMTP from the caller's environment).
while read -r name; do
  [[ "$name" == TABEL_BENCH_* ]] || unset "$name"
done < <(compgen -e | grep '^TABEL_' || true)
export TABEL_JWT_SECRET="tabel-bench-reports-0123456789abcdef01234" # 41 bytes
export TABEL_DEMO_PASSWORD="$password"
export TABEL_HTTP_HOST=127.0.0.1 TABEL_HTTP_PORT=0 TABEL_LOG_LEVEL=info

work="$(mktemp -d -t tabel-bench-reports.XXXXXX)"
bench_name=reports
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh

postgres_pid=""
[[ -n "$postgres_url" ]] || start_postgres
seed_company "$postgres_url" "$employees"

month_first="$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-01)"
month_last="$(date -d "$month_first +1 month -1 day" +%Y-%m-%d)"
month="${month_first%-01}"

start_tabel "$postgres_url" 1
token="$(login accountant)"
in_month="$(sql "SELECT COUNT(*) FROM employees
  WHERE hire_date <= '$month_last' AND (dismissal_date IS NULL OR dismissal_date >= '$month_first')")"
echo "port $port; $in_month people employed in $month" >&2
sleep 1
baseline_rss="$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")"

python3 - "$port" "$token" "$month" "$format" "$runs" "$pid" "$in_month" "$work" >"$work/results.json" <<'EOF'
import io, json, re, sys, threading, time, urllib.request, zipfile
from datetime import datetime
port, token, month, fmt, runs, pid, expected, work = sys.argv[1:9]
runs, expected = int(runs), int(expected)
base = f"http://127.0.0.1:{port}"
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

def call(method, path, body=None):
    request = urllib.request.Request(base + path, method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, response.read()

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

def stamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

results = []
for run in range(runs):
    peak = [rss_mb()]
    stop = threading.Event()
    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.01)
    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.monotonic()
    status, body = call("POST", "/api/v1/report-jobs", {"kind": "payroll", "from": month, "format": fmt})
    assert status == 202, (status, body)
    job = json.loads(body)
    while job["status"] in ("queued", "running"):
        time.sleep(0.02)
        job = json.loads(call("GET", f"/api/v1/report-jobs/{job['id']}")[1])
    assert job["status"] == "done", job
    status, data = call("GET", job["download_url"])
    t1 = time.monotonic()
    stop.set()
    sampler.join()
    assert status == 200 and len(data) == job["size_bytes"], (status, len(data), job)
    if run == 0:
        open(f"{work}/payroll.{fmt}", "wb").write(data)
        if fmt == "xlsx":
            assert data[:4] == b"PK\x03\x04", "not a zip"
            sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
            rows = len(re.findall(r"<row ", sheet))
            # title block (6 rows), an empty row left out, the header, the people, the total
            people = rows - 6 - 1 - 1
            assert people == expected, f"{people} people rows in the sheet, {expected} employed in {month}"
        elif fmt == "json":
            assert len(json.loads(data)["items"]) == expected
        print(f"file: {len(data)} bytes of {fmt}, {expected} people", file=sys.stderr)
    queued = stamp(job["started_at"]) - stamp(job["created_at"])
    made = stamp(job["finished_at"]) - stamp(job["started_at"])
    results.append({"total": t1 - t0, "queued": queued, "made": made, "peak": peak[0], "bytes": len(data)})
    print(f"  run {run + 1}: {t1 - t0:.2f} s end to end (queue {queued:.2f} s, made in {made:.2f} s), "
          f"RSS peak {peak[0]:.0f} MB", file=sys.stderr)
json.dump(results, sys.stdout)
EOF
hwm="$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")"
stop_tabel

echo "tabel $version, $(nproc) cores, $employees employees (seed 1), $in_month employed in $month, payroll as $format," \
  "$runs runs, $(date -u +%Y-%m-%d)"
echo
python3 - "$work/results.json" "$baseline_rss" "$hwm" <<'EOF'
import json, statistics, sys
results, baseline, hwm = json.load(open(sys.argv[1])), float(sys.argv[2]), float(sys.argv[3])
m = lambda key: statistics.median(r[key] for r in results)
print("| | " + " | ".join(f"run {i + 1}" for i in range(len(results))) + " | median |")
print("|---|" + "---|" * (len(results) + 1))
for key, label, unit in (("total", "end to end (POST → last byte of the file)", "s"),
                         ("queued", "waiting in the queue", "s"), ("made", "making the file (job started → done)", "s"),
                         ("peak", "tabel RSS peak during the run", "MB")):
    fmt = "{:.0f}" if unit == "MB" else "{:.2f}"
    print(f"| {label} | " + " | ".join(fmt.format(r[key]) + f" {unit}" for r in results) +
          f" | **{fmt.format(m(key))} {unit}** |")
print(f"\nFile: {results[0]['bytes']} bytes. tabel RSS before the runs {baseline:.1f} MB; "
      f"peak RSS of the process over its life (VmHWM) {hwm:.1f} MB.")
EOF
