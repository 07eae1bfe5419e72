#!/usr/bin/env bash
# Activity requests benchmark (issue 4): wrk over loopback against a release
# build of tabel on PostgreSQL (or SQLite), with the company of `tabel seed
# --employees 25000 --seed 1` (a login per current employee = his personnel
# number in lower case, password TABEL_DEMO_PASSWORD or "demo"; employee k
# heads department k and has role manager).
#   bench/requests/run.sh [duration_seconds] [connections] [runs]
# For each database (TABEL_BENCH_DATABASES, default "postgresql"; "sqlite" is
# allowed too) it seeds a fresh database once (on PostgreSQL with a year of
# request history, bench/lib.sh add_request_history), then for each number of io
# threads (TABEL_BENCH_IO_THREADS, default "1") starts `tabel serve --demo`,
# logs in the manager TABEL_BENCH_MANAGER (default t000002, head of
# department 2) and every other current employee of his own department (the
# requesters: their approver is the manager), checks with one remote day
# each (created, approver = the manager, approved) that the chain is right,
# leaves a standing queue of TABEL_BENCH_QUEUE (default 200) pending remote
# days for the manager, runs VACUUM ANALYZE (PostgreSQL) and runs wrk `runs`
# times (default 3) over:
#   GET /healthz                        no authentication (baseline)
#   GET /api/v1/me                      authentication only (baseline)
#   GET /api/v1/approvals?limit=50      the manager's queue (first page)
#   create-and-approve (wrk Lua)        POST /api/v1/requests as the next
#       requester (round robin, a remote day no earlier request of his
#       covers), and, whenever a created request is waiting, POST
#       /api/v1/requests/{id}/approve as the manager instead
# After each create-and-approve run the requests it left pending (created
# at the end, or in flight when wrk stopped) are approved, so that every
# queue run sees the same standing queue. Every request must succeed: a
# non-2xx answer is an error of the workload and is reported, not hidden.
# During every run it reads from /proc the CPU used by tabel, by the
# PostgreSQL server and its backends, by wrk, and by the rest of the
# machine, in % of one core. It prints Markdown tables (medians of the
# runs); progress goes to stderr.
#
# PostgreSQL: a private throwaway cluster (initdb as user postgres in the
# temporary folder, 127.0.0.1 on a free port, with the settings of
# scripts/lib/servers.sh; needs root), stopped at exit; or an empty database
# given as TABEL_BENCH_POSTGRES_URL. TABEL_BENCH_PG_STATEMENTS=1 (private
# cluster only; it costs some server CPU, so not for the published figures)
# loads pg_stat_statements and prints to stderr, for the last run of each
# request, the statements that took the most server time and the tables read
# by sequential scans. The server is build/release/tabel, or
# TABEL_BENCH_BINARY (copied at start); TABEL_BENCH_WORKER_THREADS=0 runs it
# without queue consumers (the API and the relay only). The access
# log is at info level and read away (as a container's stdout would be); wrk
# runs on the same cores as the server. "CPU ms per request" is the CPU
# column over the request rate: for create-and-approve, per HTTP request
# (half a pair).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration="${1:-10}"
connections="${2:-64}"
runs="${3:-3}"
wrk_threads=1
io_thread_counts="${TABEL_BENCH_IO_THREADS:-1}"
databases="${TABEL_BENCH_DATABASES:-postgresql}"
manager="${TABEL_BENCH_MANAGER:-t000002}"
queue_size="${TABEL_BENCH_QUEUE:-200}"
statements="${TABEL_BENCH_PG_STATEMENTS:-0}"
postgres_url="${TABEL_BENCH_POSTGRES_URL:-}"
password="${TABEL_DEMO_PASSWORD:-demo}"
employees=25000
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 1; }
[[ "$manager" =~ ^t0*([1-9][0-9]*)$ ]] || { echo "TABEL_BENCH_MANAGER must be a seeded login such as t000002" >&2; exit 1; }
manager_department="${BASH_REMATCH[1]}"
[[ "$queue_size" =~ ^[0-9]+$ ]] || { echo "TABEL_BENCH_QUEUE must be a number" >&2; exit 1; }

# Only our settings reach tabel (no queue, cache or SMTP from the caller's environment).
while read -r name; do
  [[ "$name" == TABEL_BENCH_* ]] || unset "$name"
done < <(compgen -e | grep '^TABEL_' || true)
export TABEL_JWT_SECRET="tabel-bench-requests-0123456789abcdef0123" # 41 bytes
export TABEL_DEMO_PASSWORD="$password"
export TABEL_HTTP_HOST=127.0.0.1 TABEL_HTTP_PORT=0 TABEL_LOG_LEVEL=info

work="$(mktemp -d -t tabel-bench-requests.XXXXXX)"
bench_name=requests
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh

# The API steps outside wrk, in Python (urllib only):
#   api.py setup PORT MANAGER PASSWORD DEPARTMENT DIR
#     logs in the manager and the requesters (the other current employees of
#     DEPARTMENT), writes DIR/tokens (line 1: "MANAGER_EMPLOYEE_ID
#     MANAGER_TOKEN", then one "LOGIN TOKEN" a requester); prints how many
#   api.py probe PORT DIR         one remote day per requester: created
#                                 pending with the manager as approver, and
#                                 approved by him
#   api.py queue PORT DIR COUNT   creates COUNT pending remote days (never
#                                 approved), writes their ids to DIR/standing
#   api.py drain PORT DIR         approves every pending request of the
#                                 manager's queue not in DIR/standing; prints
#                                 "N approved, M pending"
# Every remote day takes a day offset (days after today, UTC) from
# DIR/next_day, shared with the wrk Lua script: the k-th request of a round
# robin over n requesters takes offset next_day + floor(k / n), and next_day
# then moves past every offset used, so no two remote days of one person
# overlap. It starts at 2: remote_day needs a day's notice, and the company's
# today may be a day ahead of UTC.
cat >"$work/api.py" <<'EOF'
import datetime, json, os, sys, urllib.error, urllib.request

def call(port, method, path, token=None, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: HTTP {error.code} {error.read().decode(errors='replace')}")

def day(offset):
    return (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=offset)).isoformat()

def read_tokens(folder):
    with open(os.path.join(folder, "tokens")) as f:
        lines = [line.split() for line in f if line.strip()]
    return int(lines[0][0]), lines[0][1], [token for _, token in lines[1:]]

def create(port, token, offset, manager_id):
    date = day(offset)
    r = call(port, "POST", "/api/v1/requests", token, {"type": "remote_day", "start_date": date, "end_date": date})
    if r["status"] != "pending" or r["approver_employee_id"] != manager_id:
        sys.exit(f"request {r['id']} of employee {r['employee_id']}: status {r['status']}, approver "
                 f"{r['approver_employee_id']}, expected pending for employee {manager_id}")
    return r["id"]

def approve(port, token, request_id):
    r = call(port, "POST", f"/api/v1/requests/{request_id}/approve", token)
    if r["status"] != "approved":
        sys.exit(f"approve {request_id}: status {r['status']}")

def pending_queue(port, token):
    ids, cursor = [], None
    while True:
        page = call(port, "GET", "/api/v1/approvals?limit=200" + (f"&cursor={cursor}" if cursor else ""), token)
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids

def take_days(folder, count, people):
    """Reserves the offsets of `count` requests round robin over `people`; returns the first."""
    path = os.path.join(folder, "next_day")
    with open(path) as f:
        first = int(f.read())
    with open(path, "w") as f:
        f.write(f"{first + (count - 1) // people + 1}\n")
    return first

command, port, *rest = sys.argv[1:]
if command == "setup":
    manager, password, department, folder = rest
    login = lambda name: call(port, "POST", "/api/v1/auth/login", body={"login": name, "password": password})["access_token"]
    manager_token = login(manager)
    manager_id = call(port, "GET", "/api/v1/me", manager_token)["employee_id"]
    today = day(0)
    people, cursor = [], None
    while True:
        page = call(port, "GET", f"/api/v1/employees?department_id={department}&limit=200" +
                    (f"&cursor={cursor}" if cursor else ""), manager_token)
        people += [e for e in page["items"] if e["id"] != manager_id and e.get("dismissal_date") is None
                   and e["department_id"] == int(department) and e["hire_date"] <= today]
        cursor = page["next_cursor"]
        if not cursor:
            break
    if not people:
        sys.exit(f"department {department} has no current employee besides {manager}")
    tokens = [(e["personnel_number"].lower(), login(e["personnel_number"].lower())) for e in people]
    with open(os.path.join(folder, "tokens"), "w") as f:
        f.write(f"{manager_id} {manager_token}\n" + "".join(f"{name} {token}\n" for name, token in tokens))
    print(len(tokens))
elif command == "probe":
    folder = rest[0]
    manager_id, manager_token, tokens = read_tokens(folder)
    first = take_days(folder, len(tokens), len(tokens))
    for token in tokens:
        approve(port, manager_token, create(port, token, first, manager_id))
elif command == "queue":
    folder, count = rest[0], int(rest[1])
    manager_id, _, tokens = read_tokens(folder)
    first = take_days(folder, count, len(tokens))
    ids = [create(port, tokens[k % len(tokens)], first + k // len(tokens), manager_id) for k in range(count)]
    with open(os.path.join(folder, "standing"), "w") as f:
        f.write("".join(f"{i}\n" for i in ids))
elif command == "drain":
    folder = rest[0]
    _, manager_token, _ = read_tokens(folder)
    with open(os.path.join(folder, "standing")) as f:
        standing = {int(line) for line in f if line.strip()}
    left = [i for i in pending_queue(port, manager_token) if i not in standing]
    for request_id in left:
        approve(port, manager_token, request_id)
    queue = len(pending_queue(port, manager_token))
    if queue != len(standing):
        print(f"warning: the manager's queue holds {queue} requests, not the {len(standing)} left standing",
              file=sys.stderr)
    print(f"{len(left)} approved, {queue} pending")
else:
    sys.exit(f"unknown command {command}")
EOF

# The create-and-approve workload. Each wrk thread keeps a FIFO of created,
# not yet approved ids: request() approves the oldest (as the manager) when
# there is one, else creates the next remote day (as the next requester);
# response() queues the id of a 201. done() prints the counts and moves
# next_day past every day offset used.
cat >"$work/create_approve.lua" <<EOF
local folder = "$work"
local manager_id, manager_auth
local requesters = {}
for line in io.lines(folder .. "/tokens") do
  local first, second = line:match("^(%S+) (%S+)$")
  if manager_id == nil then
    manager_id, manager_auth = tonumber(first), "Bearer " .. second
  else
    requesters[#requesters + 1] = "Bearer " .. second
  end
end
local file = io.open(folder .. "/next_day")
local first_day = tonumber(file:read("*l"))
file:close()
local today = os.date("!*t")

local threads = {}
function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

thread_index = 0
created, creates, approves, failures, failure = 0, 0, 0, 0, ""
local waiting, head, tail = {}, 1, 0

function request()
  if head <= tail then
    local id = waiting[head]
    waiting[head] = nil
    head = head + 1
    return wrk.format("POST", "/api/v1/requests/" .. id .. "/approve", { ["Authorization"] = manager_auth })
  end
  local n = #requesters
  local offset = first_day + math.floor(created / n) * $wrk_threads + thread_index
  local who = requesters[created % n + 1]
  created = created + 1
  local date = os.date("%Y-%m-%d", os.time({ year = today.year, month = today.month, day = today.day + offset, hour = 12 }))
  return wrk.format("POST", "/api/v1/requests", { ["Authorization"] = who, ["Content-Type"] = "application/json" },
    '{"type":"remote_day","start_date":"' .. date .. '","end_date":"' .. date .. '"}')
end

local function fail(status, body)
  failures = failures + 1
  if failure == "" then failure = "HTTP " .. status .. " " .. body:sub(1, 300):gsub("[%c\t]", " ") end
end

function response(status, headers, body)
  if status == 201 then
    local id = body:match('"id":(%d+)')
    if id and body:find('"status":"pending"', 1, true) and
        tonumber(body:match('"approver_employee_id":(%d+)')) == manager_id then
      creates = creates + 1
      tail = tail + 1
      waiting[tail] = id
    else
      fail(status, body)
    end
  elseif status == 200 and body:find('"status":"approved"', 1, true) then
    approves = approves + 1
  else
    fail(status, body)
  end
end

function done(summary, latency, requests)
  local totals = { created = 0, creates = 0, approves = 0, failures = 0 }
  local first_failure = ""
  for _, thread in ipairs(threads) do
    for key in pairs(totals) do totals[key] = totals[key] + thread:get(key) end
    if first_failure == "" then first_failure = thread:get("failure") end
  end
  local most = 0
  for _, thread in ipairs(threads) do most = math.max(most, thread:get("created")) end
  local out = io.open(folder .. "/next_day", "w")
  out:write(first_day + (math.floor(most / #requesters) + 1) * $wrk_threads, "\n")
  out:close()
  io.write(string.format("lua: creates %d approves %d failures %d sent %d\n", totals.creates, totals.approves,
    totals.failures, totals.created))
  if first_failure ~= "" then io.write("lua: first failure " .. first_failure .. "\n") end
end
EOF

# pg_stat_statements (TABEL_BENCH_PG_STATEMENTS=1): reset before a run; after
# it the top statements by server time, and the tables read by sequential
# scans, go to statements/LABEL.txt (the last run's are printed at the end).
statements_reset() {
  ((statements)) && [[ "$database" == postgresql && -n "$servers_dir" ]] || return 0
  psql -X -q -d "$url" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' \
    -c 'SELECT pg_stat_statements_reset()' -c 'SELECT pg_stat_reset()' >/dev/null
}
statements_top() {
  ((statements)) && [[ "$database" == postgresql && -n "$servers_dir" ]] || return 0
  mkdir -p "$work/statements"
  {
    printf '\n%s, io threads %s, %s: top statements by server time\n' "$database" "$io_threads" "$1"
    psql -X -d "$url" -P pager=off -c "SELECT calls, round(total_plan_time::numeric, 0) AS plan_ms,
      round(total_exec_time::numeric, 0) AS exec_ms,
      round(((total_plan_time + total_exec_time) / NULLIF(calls, 0))::numeric, 3) AS ms_per_call,
      left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS query
      FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 12" \
      -c "SELECT relname, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd, n_tup_hot_upd
      FROM pg_stat_user_tables WHERE seq_scan > 0 ORDER BY seq_tup_read DESC LIMIT 6"
  } >"$work/statements/${1//[^A-Za-z0-9]/_}.txt"
}

# run_wrk LABEL CALLER TOKEN PATH [LUA]: one wrk run; appends a line to
# results.tsv (the Lua counts, when the script prints them, give the pairs).
run_wrk() {
  local label="$1" caller="$2" token="$3" path="$4" lua="${5:-}"
  local -a args=(-t"$wrk_threads" -c"$connections" -d"${duration}s" --latency)
  [[ -n "$token" ]] && args+=(-H "Authorization: Bearer $token")
  [[ -n "$lua" ]] && args+=(-s "$lua")
  local before after t0 t1
  statements_reset
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
    / requests in / { seconds = $4; sub(/s,$/, "", seconds) }
    /^Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { non2xx = $NF }
    /Socket errors/ { sockets = $0; sub(/^ *Socket errors: */, "", sockets); gsub(/,/, "", sockets) }
    /^lua: creates / { lua = 1; creates = $3; approves = $5; failures = $7 }
    /^lua: first failure / { failure = $0; sub(/^lua: first failure /, "", failure); gsub(/\t/, " ", failure) }
    END {
      split(before, b, " "); split(after, a, " ")
      wall = t1 - t0
      tabel = (a[1] - b[1]) / hz / wall * 100
      pg = (a[2] - b[2]) / hz / wall * 100
      wrk = wrk_cpu / wall * 100
      busy = (a[3] - b[3]) / (a[4] - b[4]) * 100 * ncpu()
      other = busy - tabel - pg - wrk
      if (other < 0) other = 0
      pairs = lua ? sprintf("%.0f", approves / seconds) : "-"
      printf "%s\t%s\t%s\t%s\t%.0f\t%.3f\t%.3f\t%d\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%s\n", db, io, label, caller,
        rps, p50, p99, non2xx, (sockets == "" ? "none" : sockets), tabel, pg, wrk, other,
        pairs, (lua ? creates : "-"), (lua ? approves : "-"), (lua ? failures : 0), (failure == "" ? "-" : failure)
    }
    function ncpu(   n, line) { n = 0; while ((getline line < "/proc/stat") > 0) if (line ~ /^cpu[0-9]/) n++; return n }
  ' "$work/wrk.txt" >>"$work/results.tsv"
  statements_top "$label ($caller)"
  tail -n 1 "$work/results.tsv" | awk -F'\t' '{
    printf "  %s %s io=%s: %s req/s, p50 %.2f ms, p99 %.2f ms", $1, $3 " (" $4 ")", $2, $5, $6, $7
    if ($14 != "-") printf ", %s pairs/s (%s creates, %s approves)", $14, $15, $16
    if ($8 + $17 > 0) printf ", ERRORS: %s non-2xx, first: %s", $8, $18
    printf "\n" }' >&2
}

: >"$work/results.tsv"
echo 2 >"$work/next_day"
declare -A requester_count
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
    *) echo "unknown database $database (postgresql or sqlite)" >&2; exit 1 ;;
  esac
  seed_company "$url" "$employees" "$database"
  if [[ "$database" == postgresql ]]; then add_request_history "$url"; fi
  standing=0
  for io_threads in $io_thread_counts; do
    start_tabel "$url" "$io_threads"
    requester_count[$database]="$(python3 "$work/api.py" setup "$port" "$manager" "$password" "$manager_department" "$work")"
    python3 "$work/api.py" probe "$port" "$work"
    if ((!standing)); then
      echo "$database: $manager approves for ${requester_count[$database]} requesters of department $manager_department; leaving $queue_size pending" >&2
      python3 "$work/api.py" queue "$port" "$work" "$queue_size"
      standing=1
    fi
    # The state autovacuum keeps a database in use in, before measuring:
    # the history and the queue vacuumed, and statistics that know them
    # (plans made for the empty table the seed left, cached with the
    # prepared statements, would scan it whole).
    if [[ "$database" == postgresql ]]; then psql -X -q -d "$url" -c "VACUUM ANALYZE"; fi
    manager_token="$(awk 'NR == 1 {print $2}' "$work/tokens")"
    drained="$(python3 "$work/api.py" drain "$port" "$work")"
    echo "$database, $io_threads io threads: port $port, queue: $drained" >&2
    sleep 1
    for ((run = 1; run <= runs; run++)); do
      run_wrk 'GET /healthz' none "" /healthz
      run_wrk 'GET /api/v1/me' "$manager" "$manager_token" /api/v1/me
      run_wrk 'GET /api/v1/approvals?limit=50' "$manager" "$manager_token" '/api/v1/approvals?limit=50'
      run_wrk 'create-and-approve' "requesters, $manager" "" /api/v1/requests "$work/create_approve.lua"
      sleep 0.5 # creates still in flight when wrk stopped
      drained="$(python3 "$work/api.py" drain "$port" "$work")"
      echo "  requests the run left pending: $drained" >&2
    done
    stop_tabel
  done
done

if ((statements)) && [[ -d "$work/statements" ]]; then cat "$work/statements"/*.txt >&2; fi
echo "tabel $version, $(nproc) cores, wrk -t$wrk_threads -c$connections -d${duration}s," \
  "$runs runs, $employees employees (seed 1), manager $manager, standing queue $queue_size, $(date -u +%Y-%m-%d)"
python3 - "$work/results.tsv" "$runs" "$(for d in "${!requester_count[@]}"; do printf '%s=%s ' "$d" "${requester_count[$d]}"; done)" <<'EOF'
import collections, statistics, sys
path, runs, sizes = sys.argv[1], int(sys.argv[2]), dict(s.split("=") for s in sys.argv[3].split())
rows = collections.OrderedDict()
for line in open(path):
    (db, io, label, caller, rps, p50, p99, non2xx, sockets, tabel, pg, wrk, other,
     pairs, creates, approves, failures, failure) = line.rstrip("\n").split("\t")
    rows.setdefault((db, io, label, caller), []).append(
        dict(rps=int(rps), p50=float(p50), p99=float(p99), non2xx=int(non2xx), sockets=sockets,
             tabel=float(tabel), pg=float(pg), wrk=float(wrk), other=float(other),
             pairs=None if pairs == "-" else int(pairs), failures=int(failures), failure=failure))
median = lambda runs, key: statistics.median(r[key] for r in runs)
current = None
for (db, io, label, caller), results in rows.items():
    if db != current:
        current = db
        print(f"\n{db} ({sizes.get(db, '?')} requesters)\n")
        print("| io threads | request | caller | " + " | ".join(f"run {i + 1} req/s" for i in range(runs)) +
              " | median req/s | median pairs/s | median p50 | median p99 | CPU % tabel / postgres / wrk / other"
              " | CPU ms per request tabel / postgres | errors |")
        print("|---|---|---|" + "---|" * runs + "---|---|---|---|---|---|---|")
    non2xx = sum(r["non2xx"] for r in results)
    failures = sum(r["failures"] for r in results)
    sockets = [r["sockets"] for r in results if r["sockets"] != "none"]
    first = next((r["failure"] for r in results if r["failure"] != "-"), None)
    error_text = "; ".join(([f"{non2xx} non-2xx"] if non2xx else []) +
                           ([f"{failures} failed in Lua, first: {first}"] if failures else []) +
                           [f"socket errors: {s}" for s in sockets]) or "none"
    cpu = " / ".join(f"{median(results, k):.0f}" for k in ("tabel", "pg", "wrk", "other"))
    rps = median(results, "rps")
    per_request = " / ".join(f"{median(results, k) / 100 / rps * 1000:.2f}" for k in ("tabel", "pg")) if rps else "-"
    pairs = f"{median(results, 'pairs'):.0f}" if results[0]["pairs"] is not None else "–"
    print(f"| {io} | `{label}` | {caller} | " + " | ".join(str(r["rps"]) for r in results) +
          f" | {rps:.0f} | {pairs} | {median(results, 'p50'):.2f}ms | {median(results, 'p99'):.2f}ms | {cpu}"
          f" | {per_request} | {error_text} |")
EOF
