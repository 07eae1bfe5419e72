#!/usr/bin/env bash
# Users API benchmark: wrk over loopback against a release build of tabel, on
# SQLite and on PostgreSQL, with the company of `tabel seed --employees 25000
# --seed 1` (a login per current employee, password TABEL_DEMO_PASSWORD or
# "demo"; employee k heads department k and has role manager).
#   bench/users/run.sh [duration_seconds] [connections] [runs]
# For each database it seeds a fresh database once, then for each number of
# io threads (TABEL_BENCH_IO_THREADS, default "1 2") starts `tabel serve
# --demo` (--demo only adds the demo logins, among them `hr` without an
# employee record; the seeded company stays as it is), logs in, and runs wrk
# `runs` times (default 3) over each request in turn:
#   GET /healthz                        no authentication (baseline)
#   GET /api/v1/me                      authentication only (baseline)
#   GET /api/v1/employees/{id}          as the manager, cycling over every
#                                       employee of his subtree (wrk Lua)
#   GET /api/v1/employees?limit=50      as the manager (his subtree)
#   GET /api/v1/employees?limit=50      as hr (everyone)
# The manager is TABEL_BENCH_MANAGER (default t000002, who heads department 2
# under the root). During every run it reads from /proc the CPU used by
# tabel, by the PostgreSQL server and its backends, by wrk, and by the rest
# of the machine, in % of one core. It prints Markdown tables (medians of the
# runs) for docs/benchmarks.md; progress goes to stderr.
#
# PostgreSQL: a private throwaway cluster (initdb as user postgres in the
# temporary folder, 127.0.0.1 on a free port, with the settings of
# scripts/lib/servers.sh; needs root), stopped at exit; or an empty database
# given as TABEL_BENCH_POSTGRES_URL. TABEL_BENCH_DATABASES="sqlite postgresql"
# selects; TABEL_BENCH_BINARY runs another build (a baseline copied aside,
# to compare in the same window). The access log is at info level and read
# away (as a container's stdout would be); wrk runs on the same cores as the
# server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration="${1:-10}"
connections="${2:-64}"
runs="${3:-3}"
wrk_threads=1
io_thread_counts="${TABEL_BENCH_IO_THREADS:-1 2}"
databases="${TABEL_BENCH_DATABASES:-sqlite postgresql}"
manager="${TABEL_BENCH_MANAGER:-t000002}"
postgres_url="${TABEL_BENCH_POSTGRES_URL:-}"
password="${TABEL_DEMO_PASSWORD:-demo}"
employees=25000
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 1; }
[[ "$manager" =~ ^t0*([1-9][0-9]*)$ ]] || { echo "TABEL_BENCH_MANAGER must be a seeded login such as t000002" >&2; exit 1; }
manager_department="${BASH_REMATCH[1]}"

# Only our settings reach tabel (no queue, cache or SMTP from the caller's environment).
while read -r name; do
  [[ "$name" == TABEL_BENCH_* ]] || unset "$name"
done < <(compgen -e | grep '^TABEL_' || true)
export TABEL_JWT_SECRET="tabel-bench-users-0123456789abcdef012345" # 40 bytes
export TABEL_DEMO_PASSWORD="$password"
export TABEL_HTTP_HOST=127.0.0.1 TABEL_HTTP_PORT=0 TABEL_LOG_LEVEL=info

work="$(mktemp -d -t tabel-bench-users.XXXXXX)"
bench_name=users
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh

# subtree_ids TOKEN DEPARTMENT FILE: writes the ids of the current employees of
# DEPARTMENT and its sub-departments, as the API gives them to TOKEN's caller,
# one a line; prints how many.
subtree_ids() {
  python3 - "$port" "$1" "$2" "$3" <<'EOF'
import json, sys, urllib.request
port, token, department, path = sys.argv[1:5]
ids, cursor = [], None
while True:
    url = f"http://127.0.0.1:{port}/api/v1/employees?department_id={department}&subtree=true&limit=200"
    if cursor:
        url += f"&cursor={cursor}"
    page = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})))
    ids += [item["id"] for item in page["items"]]
    cursor = page["next_cursor"]
    if not cursor:
        break
with open(path, "w") as f:
    f.write("".join(f"{i}\n" for i in ids))
print(len(ids))
EOF
}

# run_wrk LABEL CALLER TOKEN PATH [LUA]: one wrk run; appends a line to results.tsv.
run_wrk() {
  local label="$1" caller="$2" token="$3" path="$4" lua="${5:-}"
  local -a args=(-t"$wrk_threads" -c"$connections" -d"${duration}s" --latency)
  [[ -n "$token" ]] && args+=(-H "Authorization: Bearer $token")
  [[ -n "$lua" ]] && args+=(-s "$lua")
  local before after t0 t1
  before="$(cpu_ticks)"
  t0="$EPOCHREALTIME"
  /usr/bin/time -f '%U %S' -o "$work/wrk.time" wrk "${args[@]}" "http://127.0.0.1:$port$path" >"$work/wrk.txt"
  t1="$EPOCHREALTIME"
  after="$(cpu_ticks)"
  awk -v db="$database" -v io="$io_threads" -v label="$label" -v caller="$caller" \
    -v before="$before" -v after="$after" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" \
    -v wrk_cpu="$(awk '{print $1 + $2}' "$work/wrk.time")" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000
      if (v ~ /s$/) return v * 1000
      return v
    }
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
      printf "%s\t%s\t%s\t%s\t%.0f\t%.3f\t%.3f\t%d\t%s\t%.0f\t%.0f\t%.0f\t%.0f\n", db, io, label, caller, rps, p50, p99,
        non2xx, (sockets == "" ? "none" : sockets), tabel, pg, wrk, other
    }
    function ncpu(   n, line) { n = 0; while ((getline line < "/proc/stat") > 0) if (line ~ /^cpu[0-9]/) n++; return n }
  ' "$work/wrk.txt" >>"$work/results.tsv"
  tail -n 1 "$work/results.tsv" | awk -F'\t' '{printf "  %s %s io=%s: %s req/s, p50 %.2f ms, p99 %.2f ms\n", $1, $3 " (" $4 ")", $2, $5, $6, $7}' >&2
}

cat >"$work/ids.lua" <<EOF
-- Cycles through the employee ids of $work/ids.txt, each wrk thread from its own offset.
local ids = {}
for line in io.lines("$work/ids.txt") do ids[#ids + 1] = line end
next_index = 0
local thread_count = 0
function setup(thread)
  thread:set("next_index", math.floor(#ids * thread_count / $wrk_threads))
  thread_count = thread_count + 1
end
function request()
  next_index = next_index % #ids + 1
  return wrk.format("GET", "/api/v1/employees/" .. ids[next_index])
end
EOF

: >"$work/results.tsv"
declare -A subtree_size
postgres_pid=""
for database in $databases; do
  case "$database" in
    sqlite)
      mkdir -p "$work/sqlite"
      url="sqlite://$work/sqlite/tabel.db"
      ;;
    postgresql)
      [[ -n "$postgres_url" ]] || start_postgres
      url="$postgres_url"
      ;;
    *) echo "unknown database $database (sqlite or postgresql)" >&2; exit 1 ;;
  esac
  seed_company "$url" "$employees" "$database"
  for io_threads in $io_thread_counts; do
    start_tabel "$url" "$io_threads"
    manager_token="$(login "$manager")"
    hr_token="$(login hr)"
    subtree_size[$database]="$(subtree_ids "$manager_token" "$manager_department" "$work/ids.txt")"
    echo "$database, $io_threads io threads: port $port, $manager heads a subtree of ${subtree_size[$database]} current employees" >&2
    first_id="$(head -n 1 "$work/ids.txt")"
    curl -sf -o /dev/null -H "Authorization: Bearer $manager_token" "http://127.0.0.1:$port/api/v1/employees/$first_id" ||
      { echo "GET /api/v1/employees/$first_id as $manager failed" >&2; exit 1; }
    sleep 1
    for ((run = 1; run <= runs; run++)); do
      run_wrk 'GET /healthz' none "" /healthz
      run_wrk 'GET /api/v1/me' "$manager" "$manager_token" /api/v1/me
      run_wrk 'GET /api/v1/employees/{id}' "$manager" "$manager_token" /api/v1/employees/1 "$work/ids.lua"
      run_wrk 'GET /api/v1/employees?limit=50' "$manager" "$manager_token" '/api/v1/employees?limit=50'
      run_wrk 'GET /api/v1/employees?limit=50' hr "$hr_token" '/api/v1/employees?limit=50'
    done
    stop_tabel
  done
done

echo "tabel $("$binary" version | awk '{print $2}'), $(nproc) cores, wrk -t$wrk_threads -c$connections -d${duration}s," \
  "$runs runs, $employees employees (seed 1), manager $manager, $(date -u +%Y-%m-%d)"
python3 - "$work/results.tsv" "$runs" "$(for d in "${!subtree_size[@]}"; do printf '%s=%s ' "$d" "${subtree_size[$d]}"; done)" <<'EOF'
import collections, statistics, sys
path, runs, sizes = sys.argv[1], int(sys.argv[2]), dict(s.split("=") for s in sys.argv[3].split())
rows = collections.OrderedDict()
for line in open(path):
    db, io, label, caller, rps, p50, p99, non2xx, sockets, tabel, pg, wrk, other = line.rstrip("\n").split("\t")
    rows.setdefault((db, io, label, caller), []).append(
        dict(rps=int(rps), p50=float(p50), p99=float(p99), non2xx=int(non2xx), sockets=sockets,
             tabel=float(tabel), pg=float(pg), wrk=float(wrk), other=float(other)))
median = lambda runs, key: statistics.median(r[key] for r in runs)
current = None
for (db, io, label, caller), results in rows.items():
    if db != current:
        current = db
        print(f"\n{db} (manager's subtree: {sizes.get(db, '?')} current employees)\n")
        print("| io threads | request | caller | " + " | ".join(f"run {i + 1} req/s" for i in range(runs)) +
              " | median req/s | median p50 | median p99 | CPU % tabel / postgres / wrk / other | errors |")
        print("|---|---|---|" + "---|" * runs + "---|---|---|---|---|")
    errors = sum(r["non2xx"] for r in results)
    sockets = [r["sockets"] for r in results if r["sockets"] != "none"]
    error_text = "; ".join(([f"{errors} non-2xx"] if errors else []) + [f"socket errors: {s}" for s in sockets]) or "none"
    cpu = " / ".join(f"{median(results, k):.0f}" for k in ("tabel", "pg", "wrk", "other"))
    print(f"| {io} | `{label}` | {caller} | " + " | ".join(str(r["rps"]) for r in results) +
          f" | {median(results, 'rps'):.0f} | {median(results, 'p50'):.2f}ms | {median(results, 'p99'):.2f}ms | {cpu} | {error_text} |")
EOF
