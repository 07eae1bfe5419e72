#!/usr/bin/env bash
# T-13 timesheet benchmark: wrk over loopback against a release build of
# tabel on PostgreSQL, with the company of `tabel seed --employees 25000
# --seed 1` (a login per current employee = his personnel number in lower
# case, password TABEL_DEMO_PASSWORD or "demo"; employee k heads department
# k and has role manager).
#   bench/timesheet/run.sh [duration_seconds] [connections] [runs]
# (defaults 10 s, 16 connections, 3 runs).
#
# Why 16 connections and not the 64 of the other HTTP benchmarks: the target
# of issue 6 is a latency, "the HTTP T-13 of a 50-person department p99
# under 50 ms on PostgreSQL", for a timesheet that the managers and
# timekeepers open at the end of a month, a few at a time each; 64 clients
# hammering one department's T-13 on two cores measure mostly the queue in
# front of the CPU (p50 ≈ connections / rate). Pass 64 as the second
# argument to see it under that load as well.
#
# It seeds a fresh database once and picks the department whose direct
# current employees (no sub-departments) number closest to 50 (ties: the
# lowest id; the same query as bench/calendar/run.sh); the caller is its
# head (or hr, scope all, when the head has no login). It starts `tabel
# serve --demo` with one io thread (TABEL_BENCH_IO_THREADS, default 1) and
# the defaults otherwise, and runs wrk `runs` times over each of (one URL,
# keep-alive):
#   json  GET /api/v1/timesheets/{department}/{month}, month = the previous
#         calendar month (YYYY-MM): the T-13 is computed from the database at
#         every request (there is no cache for it)
#   xlsx  the same with ?format=xlsx (the unified form T-13 as a workbook)
# Before the runs it reads both once with curl: the JSON must hold the
# department's people employed in the month (by a query of its own), each
# with as many days as the month has (people and a histogram of the codes go
# to stderr), and the workbook must begin with "PK\x03\x04". Every answer
# of the runs must be 2xx with no socket error: the script prints the
# tables, then fails otherwise. During every run it reads from /proc the CPU
# used by tabel, by the PostgreSQL server and its backends, by wrk, and by
# the rest of the machine, in % of one core, and from pg_stat_database the
# transactions PostgreSQL committed or rolled back. After the runs it reads
# tabel's peak RSS (VmHWM). It prints Markdown tables (medians of the runs)
# for docs/benchmarks.md; progress goes to stderr.
#
# PostgreSQL: a private throwaway cluster (initdb as user postgres in the
# temporary folder, 127.0.0.1 on a free port, with the settings of
# scripts/lib/servers.sh; needs root), stopped at exit; or an empty database
# given as TABEL_BENCH_POSTGRES_URL (its CPU is then not measured). The
# server is build/release/tabel, or TABEL_BENCH_BINARY (copied at start).
# The access log is at info level and read away (as a container's stdout
# would be); wrk runs on the same cores as the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration="${1:-10}"
connections="${2:-16}"
runs="${3:-3}"
wrk_threads=1
io_threads="${TABEL_BENCH_IO_THREADS:-1}"
postgres_url="${TABEL_BENCH_POSTGRES_URL:-}"
password="${TABEL_DEMO_PASSWORD:-demo}"
employees=25000
team_size=50
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is missing: apt-get install -y postgresql-client" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 1; }

# Only our settings reach tabel (no queue, cache or SMTP from the caller's environment).
while read -r name; do
  [[ "$name" == TABEL_BENCH_* ]] || unset "$name"
done < <(compgen -e | grep '^TABEL_' || true)
export TABEL_JWT_SECRET="tabel-bench-timesheet-0123456789abcdef012" # 41 bytes
export TABEL_DEMO_PASSWORD="$password"
export TABEL_HTTP_HOST=127.0.0.1 TABEL_HTTP_PORT=0 TABEL_LOG_LEVEL=info

work="$(mktemp -d -t tabel-bench-timesheet.XXXXXX)"
bench_name=timesheet
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh

# run_wrk LABEL PATH: one wrk run as $caller; appends a line to results.tsv.
run_wrk() {
  local label="$1" path="$2"
  local -a args=(-t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -H "Authorization: Bearer $token")
  local before after t0 t1 xacts_before xacts_after
  xacts_before="$(transactions)"
  before="$(cpu_ticks)"
  t0="$EPOCHREALTIME"
  /usr/bin/time -f '%U %S' -o "$work/wrk.time" wrk "${args[@]}" "http://127.0.0.1:$port$path" >"$work/wrk.txt"
  t1="$EPOCHREALTIME"
  after="$(cpu_ticks)"
  sleep 1.5 # the backends report their statistics at most a second late
  xacts_after="$(transactions)"
  awk -v label="$label" -v before="$before" -v after="$after" -v t0="$t0" -v t1="$t1" \
    -v xacts="$((xacts_after - xacts_before))" \
    -v hz="$(getconf CLK_TCK)" -v wrk_cpu="$(awk '{print $1 + $2}' "$work/wrk.time")" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000
      if (v ~ /s$/) return v * 1000
      return v
    }
    / requests in / { requests = $1 }
    /^Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { non2xx = $NF }
    /Socket errors/ { sockets = $0; sub(/^ *Socket errors: */, "", sockets); gsub(/,/, "", sockets) }
    END {
      split(before, b, " "); split(after, a, " ")
      wall = t1 - t0
      tabel = (a[1] - b[1]) / hz / wall * 100
      pg = (a[2] - b[2]) / hz / wall * 100
      wrk = wrk_cpu / wall * 100
      busy = (a[3] - b[3]) / (a[4] - b[4]) * 100 * ncpu()
      other = busy - tabel - pg - wrk
      if (other < 0) other = 0
      printf "%s\t%.0f\t%.3f\t%.3f\t%d\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%d\t%d\n", label, rps, p50, p99,
        non2xx, (sockets == "" ? "none" : sockets), tabel, pg, wrk, other, requests, xacts
    }
    function ncpu(   n, line) { n = 0; while ((getline line < "/proc/stat") > 0) if (line ~ /^cpu[0-9]/) n++; return n }
  ' "$work/wrk.txt" >>"$work/results.tsv"
  tail -n 1 "$work/results.tsv" | awk -F'\t' '{printf "  %s: %s req/s, p50 %.2f ms, p99 %.2f ms, %d requests, %d PostgreSQL transactions, non-2xx %d, socket errors %s\n", $1, $2, $3, $4, $11, $12, $5, $6}' >&2
}

: >"$work/results.tsv"
postgres_pid=""
[[ -n "$postgres_url" ]] || start_postgres
seed_company "$postgres_url" "$employees"

# The department of about 50 people, and who opens its timesheet: pick_team (bench/lib.sh).
pick_team "$team_size"

# The previous calendar month: the timesheet managers check at the end of a month.
month_first="$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-01)"
month_last="$(date -d "$month_first +1 month -1 day" +%Y-%m-%d)"
month="${month_first%-01}"
# The department's people employed on some day of the month (what the T-13 shows).
in_month="$(sql "SELECT COUNT(*) FROM employees WHERE department_id = $department
  AND hire_date <= '$month_last' AND (dismissal_date IS NULL OR dismissal_date >= '$month_first')")"
echo "department $department: $people direct current employees, $in_month employed in $month; caller $caller_note" >&2
json_path="/api/v1/timesheets/$department/$month"
xlsx_path="$json_path?format=xlsx"

start_tabel "$postgres_url" "$io_threads"
token="$(login "$caller")"
# One request of each by hand: the body must be the department's T-13.
curl -sf -o "$work/t13.json" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$json_path" ||
  { echo "GET $json_path as $caller failed" >&2; exit 1; }
shown="$(python3 - "$work/t13.json" "$department" "$month" "$in_month" <<'EOF'
import calendar, collections, json, sys
body = json.load(open(sys.argv[1]))
department, month, expected = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
year, number = map(int, month.split("-"))
days = calendar.monthrange(year, number)[1]
people = body["items"]
assert body["department"]["id"] == department, body["department"]
assert body["month"] == month, body["month"]
assert len(body["days"]) == days, len(body["days"])
assert len(people) == expected, f"{len(people)} rows, {expected} people employed in {month}"
assert all(p["department_id"] == department for p in people)
short = [p["personnel_number"] for p in people if len(p["days"]) != days]
assert not short, f"rows without {days} days: {short}"
codes = collections.Counter(e["code"] if d else "null" for p in people for d in p["days"]
                            for e in (d["entries"] if d else [None]))
print(f"{len(people)} people x {days} days, codes " + " ".join(f"{c}:{n}" for c, n in codes.most_common()))
EOF
)"
echo "port $port, $caller sees $shown ($(stat -c %s "$work/t13.json") bytes) in $json_path" >&2
curl -sf -o "$work/t13.xlsx" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$xlsx_path" ||
  { echo "GET $xlsx_path as $caller failed" >&2; exit 1; }
[[ "$(head -c 4 "$work/t13.xlsx" | od -An -tx1 | tr -d ' \n')" == 504b0304 ]] ||
  { echo "GET $xlsx_path: not a zip (xlsx) file" >&2; exit 1; }
echo "$xlsx_path: $(stat -c %s "$work/t13.xlsx") bytes of xlsx" >&2
json_bytes="$(stat -c %s "$work/t13.json")"
xlsx_bytes="$(stat -c %s "$work/t13.xlsx")"
team_shown="${shown%% *}"
sleep 1
for ((run = 1; run <= runs; run++)); do
  run_wrk json "$json_path"
  run_wrk xlsx "$xlsx_path"
done
peak_rss="$(awk '/^VmHWM:/ {printf "%.1f MB", $2 / 1024}' "/proc/$pid/status")"
stop_tabel

echo "tabel $version, $(nproc) cores, wrk -t$wrk_threads -c$connections -d${duration}s, $runs runs, $employees employees" \
  "(seed 1), department $department ($people direct current employees, $team_shown rows in $month)," \
  "caller $caller, $io_threads io thread(s), $(date -u +%Y-%m-%d)"
echo
echo "Bodies: JSON $json_bytes bytes, xlsx $xlsx_bytes bytes. Peak RSS of tabel (VmHWM) after the runs: $peak_rss."
python3 - "$work/results.tsv" "$runs" "$json_path" <<'EOF'
import collections, statistics, sys
path, runs, json_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = collections.OrderedDict()
for line in open(path):
    label, rps, p50, p99, non2xx, sockets, tabel, pg, wrk, other, requests, xacts = line.rstrip("\n").split("\t")
    rows.setdefault(label, []).append(
        dict(rps=int(rps), p50=float(p50), p99=float(p99), non2xx=int(non2xx), sockets=sockets,
             tabel=float(tabel), pg=float(pg), wrk=float(wrk), other=float(other),
             requests=int(requests), xacts=int(xacts)))
median = lambda runs, key: statistics.median(r[key] for r in runs)
failed = False
print(f"\n`GET {json_path}` (json; xlsx: `?format=xlsx`)\n")
print("| request | " + " | ".join(f"run {i + 1} req/s" for i in range(runs)) +
      " | median req/s | median p50 | median p99 | CPU % tabel / postgres / wrk / other"
      " | CPU µs per request tabel / postgres | PostgreSQL transactions per request | errors |")
print("|---|" + "---|" * runs + "---|---|---|---|---|---|---|")
total = 0
for label, results in rows.items():
    errors = sum(r["non2xx"] for r in results)
    sockets = [r["sockets"] for r in results if r["sockets"] != "none"]
    failed = failed or errors > 0 or bool(sockets)
    error_text = "; ".join(([f"{errors} non-2xx"] if errors else []) + [f"socket errors: {s}" for s in sockets]) or "none"
    cpu = " / ".join(f"{median(results, k):.0f}" for k in ("tabel", "pg", "wrk", "other"))
    rate = median(results, "rps")
    per_request = " / ".join(f"{median(results, k) / 100 / rate * 1e6:.0f}" if rate else "-" for k in ("tabel", "pg"))
    xacts = statistics.median(r["xacts"] / r["requests"] for r in results if r["requests"])
    total += sum(r["requests"] for r in results)
    print(f"| {label} | " + " | ".join(str(r["rps"]) for r in results) +
          f" | {rate:.0f} | {median(results, 'p50'):.2f}ms | {median(results, 'p99'):.2f}ms | {cpu} | {per_request}"
          f" | {xacts:.3f} | {error_text} |")
print(f"\n{total} requests answered in the runs.")
if failed:
    sys.exit("some requests failed (non-2xx answers or socket errors): the figures above are not valid")
EOF
