#!/usr/bin/env bash
# Team calendar benchmark: wrk over loopback against a release build of tabel
# on PostgreSQL, with the company of `tabel seed --employees 25000 --seed 1`
# (a login per current employee = his personnel number in lower case,
# password TABEL_DEMO_PASSWORD or "demo"; employee k heads department k and
# has role manager).
#   bench/calendar/run.sh [duration_seconds] [connections] [runs]
# It seeds a fresh database once and picks the department whose direct
# current employees (no sub-departments) number closest to 50 (ties: the
# lowest id); the caller is its head (or hr, scope all, when the head has no
# login). Then for each cache (TABEL_BENCH_CACHES, default "memory redis";
# redis only when redis-server is installed) it starts `tabel serve --demo`
# with one io thread (TABEL_BENCH_IO_THREADS, default 1) and runs wrk `runs`
# times (default 3) over:
#   warm  GET /api/v1/calendar?department_id=D&from=…&to=…&limit=50 on one
#         URL, the current month: every request after the first is a hit of
#         the team calendar's cache (60 s)
#   cold  the same request with a different key every time (wrk Lua): key k
#         asks from = today + (k mod N) days, to = from + 30 - (k div N mod 4)
#         days, N = the days left before 2199-12-01, so 4 N distinct keys;
#         k goes on from run to run, so no request finds an entry in the
#         cache and each one reads PostgreSQL and builds the calendar
# memory is the in-process cache (the default); redis is a private
# redis-server (127.0.0.1 on a free port, no persistence, in the temporary
# folder, stopped at exit) given to tabel as TABEL_REDIS_URL. Every answer
# must be 2xx with no socket error: the script prints the tables, then
# fails otherwise. During every run it reads from /proc the CPU used by
# tabel, by the PostgreSQL server and its backends, by redis-server, by wrk,
# and by the rest of the machine, in % of one core, and from
# pg_stat_database the transactions PostgreSQL committed (the hit check:
# ~0 per warm request). It prints Markdown tables (medians of the runs) for
# docs/benchmarks.md; progress goes to stderr.
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
connections="${2:-64}"
runs="${3:-3}"
wrk_threads=1
io_threads="${TABEL_BENCH_IO_THREADS:-1}"
caches="${TABEL_BENCH_CACHES:-memory redis}"
postgres_url="${TABEL_BENCH_POSTGRES_URL:-}"
password="${TABEL_DEMO_PASSWORD:-demo}"
employees=25000
team_size=50
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is missing: apt-get install -y postgresql-client" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 1; }
if [[ -z "${TABEL_BENCH_CACHES:-}" ]] && ! command -v redis-server >/dev/null; then
  echo "redis-server is not installed: measuring the in-memory cache only" >&2
  caches=memory
fi
for cache in $caches; do
  case "$cache" in
    memory) ;;
    redis) command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server" >&2; exit 1; } ;;
    *) echo "unknown cache $cache (memory or redis)" >&2; exit 1 ;;
  esac
done

# Only our settings reach tabel (no queue, cache or SMTP from the caller's environment).
while read -r name; do
  [[ "$name" == TABEL_BENCH_* ]] || unset "$name"
done < <(compgen -e | grep '^TABEL_' || true)
export TABEL_JWT_SECRET="tabel-bench-calendar-0123456789abcdef0123" # 41 bytes
export TABEL_DEMO_PASSWORD="$password"
export TABEL_HTTP_HOST=127.0.0.1 TABEL_HTTP_PORT=0 TABEL_LOG_LEVEL=info

work="$(mktemp -d -t tabel-bench-calendar.XXXXXX)"
bench_name=calendar
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh

redis_pid=""
# A private redis-server, as scripts/lib/servers.sh starts it (recorded in
# $servers_dir/servers.pids, so that cleanup and the watchdog stop it).
start_redis() {
  # shellcheck disable=SC1091
  source scripts/lib/servers.sh
  if [[ -z "$servers_dir" ]]; then
    servers_dir="$work/servers"
    mkdir -p "$servers_dir"
    _TABEL_SERVERS_DIR="$servers_dir"
    : >"$servers_dir/servers.pids"
    _tabel_start_watchdog 0
  fi
  local redis_port
  redis_port="$(_tabel_free_ports 1)"
  mkdir -p "$servers_dir/redis"
  _tabel_spawn redis TERM root "$servers_dir/redis" "$servers_dir/redis/redis.log" \
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --dir "$servers_dir/redis" --daemonize no --logfile ''
  _tabel_await redis redis "$redis_port" $((${EPOCHREALTIME%[.,]*} + 30)) "$servers_dir/redis/redis.log" || exit 1
  redis_pid="$(_tabel_pid redis)"
  redis_url="redis://127.0.0.1:$redis_port/0"
}

# CPU ticks of redis-server (utime + stime), 0 without one.
redis_ticks() {
  if [[ -z "$redis_pid" ]]; then
    echo 0
    return
  fi
  local stat
  local -a fields
  stat="$(cat "/proc/$redis_pid/stat" 2>/dev/null)" || { echo 0; return; }
  read -ra fields <<<"${stat##*) }"
  echo $((fields[11] + fields[12]))
}

# run_wrk CACHE LABEL PATH [LUA]: one wrk run as $caller; appends a line to results.tsv.
run_wrk() {
  local cache="$1" label="$2" path="$3" lua="${4:-}"
  local -a args=(-t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -H "Authorization: Bearer $token")
  [[ -n "$lua" ]] && args+=(-s "$lua")
  local before after redis_before redis_after t0 t1 xacts_before xacts_after
  xacts_before="$(transactions)"
  redis_before="$(redis_ticks)"
  before="$(cpu_ticks)"
  t0="$EPOCHREALTIME"
  /usr/bin/time -f '%U %S' -o "$work/wrk.time" wrk "${args[@]}" "http://127.0.0.1:$port$path" >"$work/wrk.txt"
  t1="$EPOCHREALTIME"
  after="$(cpu_ticks)"
  redis_after="$(redis_ticks)"
  sleep 1.5 # the backends report their statistics at most a second late
  xacts_after="$(transactions)"
  awk -v cache="$cache" -v label="$label" -v before="$before" -v after="$after" -v t0="$t0" -v t1="$t1" \
    -v redis="$((redis_after - redis_before))" -v xacts="$((xacts_after - xacts_before))" \
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
    /^lua: keys / { keys = $3 " " $4 }
    END {
      split(before, b, " "); split(after, a, " ")
      wall = t1 - t0
      tabel = (a[1] - b[1]) / hz / wall * 100
      pg = (a[2] - b[2]) / hz / wall * 100
      rd = redis / hz / wall * 100
      wrk = wrk_cpu / wall * 100
      busy = (a[3] - b[3]) / (a[4] - b[4]) * 100 * ncpu()
      other = busy - tabel - pg - rd - wrk
      if (other < 0) other = 0
      printf "%s\t%s\t%.0f\t%.3f\t%.3f\t%d\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%d\t%d\t%s\n", cache, label, rps, p50, p99,
        non2xx, (sockets == "" ? "none" : sockets), tabel, pg, rd, wrk, other, requests, xacts, (keys == "" ? "-" : keys)
    }
    function ncpu(   n, line) { n = 0; while ((getline line < "/proc/stat") > 0) if (line ~ /^cpu[0-9]/) n++; return n }
  ' "$work/wrk.txt" >>"$work/results.tsv"
  tail -n 1 "$work/results.tsv" | awk -F'\t' '{printf "  %s %s: %s req/s, p50 %.2f ms, p99 %.2f ms, %d requests, %d PostgreSQL transactions, non-2xx %d, socket errors %s\n", $1, $2, $3, $4, $5, $13, $14, $6, $7}' >&2
}

: >"$work/results.tsv"
postgres_pid=""
[[ -n "$postgres_url" ]] || start_postgres
seed_company "$postgres_url" "$employees"

# The department of about 50 people, and who looks at its calendar: pick_team (bench/lib.sh).
pick_team "$team_size"
echo "department $department: $people direct current employees; caller $caller_note" >&2

# The current month, as the calendar opens by default.
month_first="$(date +%Y-%m-01)"
month_last="$(date -d "$month_first +1 month -1 day" +%Y-%m-%d)"
warm_path="/api/v1/calendar?department_id=$department&from=$month_first&to=$month_last&limit=50"

# Cold keys: from = today + (k mod key_days) days, never after 2199-12-01 (the
# API takes dates up to 2199-12-31), and four lengths (31 to 28 days).
base_epoch="$(date -u -d "$(date +%Y-%m-%d) 12:00" +%s)"
key_days=$((($(date -u -d "2199-12-01 12:00" +%s) - base_epoch) / 86400))
key_space=$((key_days * 4))
next_key=0
# write_cold_lua FIRST: the script for a cold run whose keys start at FIRST.
write_cold_lua() {
  cat >"$work/cold.lua" <<EOF
-- Every request a new key of the team calendar: key k asks department $department
-- from today + (k mod $key_days) days for 31 - (k div $key_days mod 4) days. Thread i
-- takes keys $1 + i, $1 + i + $wrk_threads, ...; done() prints the next unused key.
local base = $base_epoch -- today 12:00 UTC
local days = $key_days
k = 0
local threads = {}
function setup(thread)
  thread:set("k", $1 + #threads)
  threads[#threads + 1] = thread
end
function request()
  local from = base + (k % days) * 86400
  local to = from + (30 - math.floor(k / days) % 4) * 86400
  k = k + $wrk_threads
  return wrk.format("GET", "/api/v1/calendar?department_id=$department&from=" .. os.date("!%Y-%m-%d", from) ..
    "&to=" .. os.date("!%Y-%m-%d", to) .. "&limit=50")
end
function done(summary, latency, requests)
  local last = $1
  for _, thread in ipairs(threads) do last = math.max(last, thread:get("k")) end
  io.write(string.format("lua: keys %d %d\n", $1, last))
end
EOF
}

for cache in $caches; do
  if [[ "$cache" == redis ]]; then
    [[ -n "$redis_pid" ]] || start_redis
    export TABEL_REDIS_URL="$redis_url"
  else
    unset TABEL_REDIS_URL
  fi
  start_tabel "$postgres_url" "$io_threads"
  token="$(login "$caller")"
  # One request by hand: the body must be the department's calendar.
  curl -sf -o "$work/body.json" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$warm_path" ||
    { echo "GET $warm_path as $caller failed" >&2; exit 1; }
  shown="$(python3 - "$work/body.json" "$department" <<'EOF'
import collections, json, sys
body = json.load(open(sys.argv[1]))
people = body["items"]
assert body["department_id"] == int(sys.argv[2]), body["department_id"]
assert all(len(p["days"]) == len(body["days"]) for p in people)
codes = collections.Counter(d["code"] for p in people for d in p["days"])
print(f"{len(people)} people x {len(body['days'])} days, next_cursor {body['next_cursor']}, codes "
      + " ".join(f"{c}:{n}" for c, n in codes.most_common()))
EOF
)"
  team_shown="${shown%% *}"
  echo "$cache cache: port $port, $caller sees $shown ($(stat -c %s "$work/body.json") bytes) in $warm_path" >&2
  sleep 1
  for ((run = 1; run <= runs; run++)); do
    run_wrk "$cache" warm "$warm_path"
    write_cold_lua "$next_key"
    run_wrk "$cache" cold "$warm_path" "$work/cold.lua"
    read -r _ next_key < <(tail -n 1 "$work/results.tsv" | cut -f 15)
    ((next_key <= key_space)) || { echo "the cold runs used $next_key keys, more than the $key_space distinct ones" >&2; exit 1; }
  done
  stop_tabel
done

echo "tabel $("$binary" version | awk '{print $2}'), $(nproc) cores, wrk -t$wrk_threads -c$connections -d${duration}s, $runs runs, $employees employees" \
  "(seed 1), department $department ($people direct current employees, $team_shown in the current month's page)," \
  "caller $caller, $io_threads io thread(s), $(date -u +%Y-%m-%d)"
python3 - "$work/results.tsv" "$runs" "$key_space" <<'EOF'
import collections, statistics, sys
path, runs, key_space = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = collections.OrderedDict()
for line in open(path):
    cache, label, rps, p50, p99, non2xx, sockets, tabel, pg, redis, wrk, other, requests, xacts, keys = \
        line.rstrip("\n").split("\t")
    rows.setdefault((cache, label), []).append(
        dict(rps=int(rps), p50=float(p50), p99=float(p99), non2xx=int(non2xx), sockets=sockets,
             tabel=float(tabel), pg=float(pg), redis=float(redis), wrk=float(wrk), other=float(other),
             requests=int(requests), xacts=int(xacts), keys=keys))
median = lambda runs, key: statistics.median(r[key] for r in runs)
current, failed = None, False
for (cache, label), results in rows.items():
    if cache != current:
        current = cache
        print(f"\n{cache} cache\n")
        print("| request | " + " | ".join(f"run {i + 1} req/s" for i in range(runs)) +
              " | median req/s | median p50 | median p99 | CPU % tabel / postgres / redis / wrk / other"
              " | CPU µs per request tabel / postgres / redis | PostgreSQL transactions per request | errors |")
        print("|---|" + "---|" * runs + "---|---|---|---|---|---|---|")
    errors = sum(r["non2xx"] for r in results)
    sockets = [r["sockets"] for r in results if r["sockets"] != "none"]
    failed = failed or errors > 0 or bool(sockets)
    error_text = "; ".join(([f"{errors} non-2xx"] if errors else []) + [f"socket errors: {s}" for s in sockets]) or "none"
    cpu = " / ".join(f"{median(results, k):.0f}" for k in ("tabel", "pg", "redis", "wrk", "other"))
    rate = median(results, "rps")
    per_request = " / ".join(f"{median(results, k) / 100 / rate * 1e6:.0f}" if rate else "-"
                             for k in ("tabel", "pg", "redis"))
    xacts = statistics.median(r["xacts"] / r["requests"] for r in results if r["requests"])
    print(f"| {label} | " + " | ".join(str(r["rps"]) for r in results) +
          f" | {rate:.0f} | {median(results, 'p50'):.2f}ms | {median(results, 'p99'):.2f}ms | {cpu} | {per_request}"
          f" | {xacts:.3f} | {error_text} |")
cold = [r for (cache, label), results in rows.items() if label == "cold" for r in results]
if cold:
    first, last = cold[0]["keys"].split()[0], cold[-1]["keys"].split()[1]
    print(f"\nCold keys {first} to {last} of {key_space} distinct ({sum(r['requests'] for r in cold)} cold requests"
          f" answered); no key was asked twice.")
if failed:
    sys.exit("some requests failed (non-2xx answers or socket errors): the figures above are not valid")
EOF
