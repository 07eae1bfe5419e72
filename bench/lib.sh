# Shell functions the benchmarks share (bench/users, bench/requests); source
# it after setting:
#   work        the run's temporary folder (removed at exit)
#   binary      the tabel to run (copied into $work, see below)
#   statements  1: load pg_stat_statements into the private PostgreSQL (optional)
#   bench_name  the benchmark's name, written into postgresql.conf
# and reads TABEL_BENCH_BLOCKING_THREADS (tabel's TABEL_BLOCKING_THREADS;
# default 0, tabel's own default) and TABEL_BENCH_WORKER_THREADS (tabel's
# TABEL_WORKER_THREADS, unset by default: tabel's own default; 0 runs the
# API and the relay without consumers, as in the split deployment).
# It sets pid (tabel), port, servers_dir, postgres_pid, postgres_url, version,
# and defines start_postgres, start_tabel, stop_tabel, login, cpu_ticks, cpu_ticks_of_trees, sql,
# seed_company, transactions, pick_team, add_request_history and run_pgbench.
# shellcheck shell=bash

pid=""
servers_dir=""
cleanup() {
  if [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
  if [[ -n "$servers_dir" ]]; then tabel_servers_stop "$servers_dir" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# A private copy: a rebuild of build/release during the run must not change
# the binary between the seed and the servers.
version="$("$binary" version | awk '{print $2}')"
cp "$binary" "$work/tabel"
binary="$work/tabel"

# PostgreSQL 15 as in scripts/lib/servers.sh (its spawn, readiness check,
# watchdog and stop), without the other three servers.
start_postgres() {
  # shellcheck disable=SC1091
  source scripts/lib/servers.sh
  if ((EUID != 0)); then
    echo "a private PostgreSQL needs root (initdb runs as user postgres); or set TABEL_BENCH_POSTGRES_URL" >&2
    exit 1
  fi
  chmod a+x "$work"
  servers_dir="$work/servers"
  local pg="$servers_dir/postgres" pg_port
  mkdir -p "$pg"
  chmod a+x "$servers_dir"
  chown postgres:postgres "$pg"
  _TABEL_SERVERS_DIR="$servers_dir"
  : >"$servers_dir/servers.pids"
  _tabel_start_watchdog 0
  pg_port="$(_tabel_free_ports 1)"
  (cd "$pg" && runuser -u postgres -- "$_TABEL_PG_BIN/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 --no-sync) >"$pg/initdb.log" 2>&1 || { tail -20 "$pg/initdb.log" >&2; exit 1; }
  cat >>"$pg/data/postgresql.conf" <<EOF

# tabel $bench_name benchmark (as scripts/lib/servers.sh)
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  if ((${statements:-0})); then
    printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track_planning = on\n" \
      >>"$pg/data/postgresql.conf"
  fi
  _tabel_spawn postgres INT postgres "$pg" "$pg/postgres.log" env HOME="$pg" "$_TABEL_PG_BIN/postgres" -D "$pg/data"
  _tabel_await postgres postgres "$pg_port" $((${EPOCHREALTIME%[.,]*} + 60)) "$pg/postgres.log" || exit 1
  postgres_pid="$(_tabel_pid postgres)"
  postgres_url="postgresql://postgres@127.0.0.1:$pg_port/postgres"
}

# Reads tabel's stdout: writes the port of the `listening` line to $1, then
# discards the rest (the access log).
read_port() {
  local line
  while IFS= read -r line; do
    if [[ "$line" == *'"listening"'* && "$line" =~ \"port\":([0-9]+) ]]; then
      printf '%s\n' "${BASH_REMATCH[1]}" >"$1.tmp"
      mv "$1.tmp" "$1"
      break
    fi
  done
  exec cat >/dev/null
}

start_tabel() {
  local url="$1" io_threads="$2"
  local -a settings=(TABEL_DATABASE_URL="$url" TABEL_MAIL_DIR="$work/mail" TABEL_IO_THREADS="$io_threads"
    TABEL_BLOCKING_THREADS="${TABEL_BENCH_BLOCKING_THREADS:-0}")
  [[ -n "${TABEL_BENCH_WORKER_THREADS:-}" ]] && settings+=(TABEL_WORKER_THREADS="$TABEL_BENCH_WORKER_THREADS")
  rm -f "$work/port"
  env "${settings[@]}" "$binary" serve --demo > >(read_port "$work/port") 2>"$work/stderr" &
  pid=$!
  for _ in $(seq 300); do
    [[ -s "$work/port" ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "tabel serve exited:" >&2
      tail -20 "$work/stderr" >&2
      exit 1
    fi
    sleep 0.1
  done
  [[ -s "$work/port" ]] || { echo "tabel serve did not log 'listening' within 30 s" >&2; exit 1; }
  port="$(<"$work/port")"
}

stop_tabel() {
  if kill "$pid"; then wait "$pid" || true; fi
  pid=""
}

# login LOGIN: prints an access token of LOGIN (password $password) from the
# tabel on $port.
login() {
  python3 - "$port" "$1" "$password" <<'EOF'
import json, sys, urllib.error, urllib.request
port, login, password = sys.argv[1:4]
request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/login", method="POST",
    data=json.dumps({"login": login, "password": password}).encode(),
    headers={"Content-Type": "application/json"})
try:
    print(json.load(urllib.request.urlopen(request))["access_token"])
except urllib.error.HTTPError as error:
    sys.exit(f"login {login}: HTTP {error.code} {error.read().decode(errors='replace')}")
EOF
}

# CPU ticks (1/CLK_TCK s): "tabel postgres busy total", where postgres is the
# server and all its children (live ones, and those it has reaped: backends
# of connections that closed during a run), busy/total from /proc/stat.
cpu_ticks() {
  python3 - "$pid" "${postgres_pid:-0}" <<'EOF'
import os, sys
tabel, postmaster = int(sys.argv[1]), int(sys.argv[2])
def stat(p):
    try:
        with open(f"/proc/{p}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # ppid, utime + stime, cutime + cstime (of the children it reaped)
        return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
    except (OSError, IndexError, ValueError):
        return None, 0, 0
own = stat(tabel)[1]
pg = 0
if postmaster:
    _, ticks, reaped = stat(postmaster)
    pg = ticks + reaped
    for name in os.listdir("/proc"):
        if name.isdigit():
            ppid, ticks, _ = stat(name)
            if ppid == postmaster:
                pg += ticks
with open("/proc/stat") as f:
    cpu = [int(x) for x in f.readline().split()[1:]]
idle = cpu[3] + cpu[4]
total = sum(cpu[:8])
print(own, pg, total - idle, total)
EOF
}

# cpu_ticks_of_trees NAME=PID...: the CPU ticks (1/CLK_TCK s) of each PID
# and all its descendants, as "NAME=ticks ..." in the order given, then
# "busy=ticks total=ticks" of the whole machine from /proc/stat.
# Descendants that ended between two readings are missing from the second.
cpu_ticks_of_trees() {
  python3 - "$@" <<'EOF'
import os, sys
parent, ticks = {}, {}
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError, ValueError):
        continue
    parent[int(pid)] = int(fields[1])
    ticks[int(pid)] = int(fields[11]) + int(fields[12])
def tree(root):
    total = 0
    for pid in ticks:
        p = pid
        while p > 1 and p != root:
            p = parent.get(p, 0)
        if p == root:
            total += ticks[pid]
    return total
out = []
for arg in sys.argv[1:]:
    name, root = arg.split("=")
    out.append(f"{name}={tree(int(root))}")
with open("/proc/stat") as f:
    cpu = [int(x) for x in f.readline().split()[1:]]
print(" ".join(out), f"busy={sum(cpu[:8]) - cpu[3] - cpu[4]}", f"total={sum(cpu[:8])}")
EOF
}

# sql QUERY: its rows from $postgres_url, unaligned, fields separated by '|'.
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$postgres_url" -c "$1"; }

# seed_company URL EMPLOYEES [LABEL]: `tabel seed --employees EMPLOYEES
# --seed 1` into the empty database at URL (the same company every run); its
# output is shown only if it fails.
seed_company() {
  echo "${3:-postgresql}: seeding $2 employees" >&2
  TABEL_DATABASE_URL="$1" TABEL_LOG_LEVEL=warn "$binary" seed --employees "$2" --seed 1 >"$work/seed.txt" 2>&1 ||
    { cat "$work/seed.txt" >&2; exit 1; }
}

# Transactions the database has committed or rolled back (from the statistics
# the backends report, at most a second late).
transactions() {
  sql "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
}

# pick_team SIZE: in a seeded database, the department whose direct current
# employees number closest to SIZE (ties: the lowest id) and who looks at it:
# its head (or hr, scope all, when the head has no login). Sets department,
# people, head_id, caller and caller_note; exits when there is none.
pick_team() {
  local head_login
  read -r department people head_id head_login <<<"$(sql "
    SELECT d.id, COUNT(*), COALESCE(d.head_employee_id, 0), COALESCE(MAX(a.login) FILTER (WHERE a.disabled = 0), '-')
    FROM departments d
    JOIN employees e ON e.department_id = d.id AND (e.dismissal_date IS NULL OR e.dismissal_date >= CURRENT_DATE)
    LEFT JOIN user_accounts a ON a.employee_id = d.head_employee_id
    GROUP BY d.id ORDER BY ABS(COUNT(*) - $1), d.id LIMIT 1" | tr '|' ' ')"
  [[ "$department" =~ ^[0-9]+$ ]] || { echo "no department found in the seeded database" >&2; exit 1; }
  if [[ "$head_login" == - ]]; then
    caller=hr
    caller_note="hr (the head, employee $head_id, has no login)"
  else
    caller="$head_login"
    caller_note="$head_login (its head, employee $head_id)"
  fi
}

# add_request_history URL: a year of history in the seeded PostgreSQL
# database at URL, as a company in use has: eight decided requests of each
# current employee hired over ten months ago, a month apart (remote days
# and three-day business trips). Written by SQL, not through the API: they
# are the table requests are read from and written into, not what is
# measured.
add_request_history() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "
    INSERT INTO requests (type, employee_id, start_date, end_date, status, exclusive, steps, step,
      charged_centidays, destination, purpose, warnings, created_by, version, created_at, updated_at)
    SELECT CASE WHEN k % 2 = 0 THEN 'business_trip' ELSE 'remote_day' END, e.id, day,
      day + CASE WHEN k % 2 = 0 THEN 2 ELSE 0 END, 'approved', 1, 'manager', 0, 0,
      CASE WHEN k % 2 = 0 THEN 'Москва' END, CASE WHEN k % 2 = 0 THEN 'Проверка филиала' END, '[]', a.id, 2,
      now(), now()
    FROM employees e JOIN user_accounts a ON a.employee_id = e.id CROSS JOIN generate_series(1, 8) AS k
    CROSS JOIN LATERAL (SELECT current_date - 30 * k - CAST(e.id % 20 AS integer) AS day) AS d
    WHERE e.dismissal_date IS NULL AND e.hire_date <= current_date - 300"
  echo "$(psql -X -At -d "$1" -c 'SELECT count(*) FROM requests') requests of history" >&2
}

# run_pgbench MODE FILE: pgbench -n -M MODE -c$clients -j2 -T$duration over
# the script FILE against $postgres_url (the ceilings: bench/*/pg_ceiling.sh),
# with the CPU of PostgreSQL, pgbench and the rest of the machine read from
# /proc around it. Prints "TPS LATENCY_MS POSTGRES% PGBENCH% OTHER% FAILED"
# (CPU in % of one core). Exits with pgbench's first errors when it fails.
run_pgbench() {
  local pgbench=/usr/lib/postgresql/15/bin/pgbench before after t0 t1
  [[ -x "$pgbench" ]] || { echo "pgbench is missing: apt-get install -y postgresql-15" >&2; exit 1; }
  before="$(pid=$$ cpu_ticks)"
  t0="$EPOCHREALTIME"
  /usr/bin/time -f '%U %S' -o "$work/pgbench.time" "$pgbench" -n -M "$1" -c "$clients" -j 2 -T "$duration" \
    -f "$2" "$postgres_url" >"$work/pgbench.txt" 2>&1 || { grep -m3 -i error "$work/pgbench.txt" >&2; exit 1; }
  t1="$EPOCHREALTIME"
  after="$(pid=$$ cpu_ticks)"
  awk -v before="$before" -v after="$after" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" \
    -v client_cpu="$(awk '{print $1 + $2}' "$work/pgbench.time")" '
    /^tps/ { tps = $3 }
    /^latency average/ { latency = $4 }
    /failed transactions/ { failed = $4 }
    END {
      split(before, b, " "); split(after, a, " ")
      wall = t1 - t0
      pg = (a[2] - b[2]) / hz / wall * 100
      client = client_cpu / wall * 100
      other = (a[3] - b[3]) / hz / wall * 100 - pg - client
      printf "%.0f %s %.0f %.0f %.0f %d\n", tps, latency, pg, client, other < 0 ? 0 : other, failed + 0
    }' "$work/pgbench.txt"
}
