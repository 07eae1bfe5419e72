#!/usr/bin/env bash
# Starts and stops the servers the integration and functional tests use: PostgreSQL 15,
# RabbitMQ, Redis and an SMTP sink, all Debian packages, on 127.0.0.1 only, each on a free
# port, with every data and log folder under one directory. Sourced, not executed:
#
#   source scripts/lib/servers.sh
#   tabel_servers_start DIR [--owns-dir]   # exports TABEL_TEST_* (see below)
#   ...
#   tabel_servers_stop
#
# Exports on success:
#   TABEL_TEST_POSTGRES_URL  postgresql://postgres@127.0.0.1:P/postgres  (trust auth)
#   TABEL_TEST_AMQP_URL      amqp://guest:guest@127.0.0.1:P/%2F  (the default vhost "/"; a bare trailing "/" would name the vhost "")
#   TABEL_TEST_REDIS_URL     redis://127.0.0.1:P/0
#   TABEL_TEST_SMTP_URL      smtp://127.0.0.1:P
#   TABEL_TEST_SMTP_MAILBOX  DIR/mail, a Maildir: each received message is a file in new/
#   TABEL_TEST_RABBITMQ_CTL  DIR/rabbitmq/ctl ARGS...: rabbitmqctl against the test broker (as
#                            user rabbitmq, with the broker's environment), e.g. `list_queues`
#   TABEL_TEST_RABBITMQ_RESTART  DIR/rabbitmq/restart [SECONDS]: a real restart of the broker
#                            for fault tests: SIGTERM (a clean shutdown, as a service manager's
#                            restart), SECONDS (default 0) with no broker, then a new node on
#                            the same ports and data, waited for until it accepts AMQP
#                            connections. Durable queues and persistent messages come back
#                            from disk.
#
# Every process started is recorded (pid and start time) in DIR/servers.pids, and only those
# are ever signalled: other copies of these servers may run on the same machine. A watchdog
# (its own session, like the servers) stops them when the calling script's process is gone,
# even if it was killed with SIGKILL; with --owns-dir it then also removes DIR.
#
# Settings: TABEL_SERVERS_TIMEOUT (seconds for all four to accept connections, default 60),
# TABEL_SERVERS_WATCH_PID (the process the watchdog watches, default $$).
#
# Needs root (servers run as users postgres and rabbitmq) and the `test` packages of
# scripts/lib/deps.sh. DIR's parents must be traversable by those users (/tmp is); DIR
# itself is made world-traversable (a+x).
set -euo pipefail

_TABEL_SERVERS_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
_TABEL_PG_BIN=/usr/lib/postgresql/15/bin
# Debian's python3 has python3-aiosmtpd; a python3 earlier on PATH (pyenv) may not.
if [[ -x /usr/bin/python3 ]]; then _TABEL_PY=/usr/bin/python3; else _TABEL_PY=python3; fi
_TABEL_SERVERS_DIR="${_TABEL_SERVERS_DIR:-}"

# Seconds the servers may take, together, to accept connections.
: "${TABEL_SERVERS_TIMEOUT:=60}"

# _tabel_proc_field PID INDEX: a field of /proc/PID/stat counted from the state field (0)
# onwards (19 is the start time). Fails when PID does not exist.
_tabel_proc_field() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  local -a fields
  read -ra fields <<<"${stat##*) }"
  printf '%s\n' "${fields[$2]}"
}

# _tabel_alive PID START: true while PID runs and is the process that started at START
# (guards against pid reuse). Reaps it when it is a zombie child of this shell.
_tabel_alive() {
  local stat
  local -a fields
  # Builtins only: the watchdog polls with this, and must leave no child behind when killed.
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  read -ra fields <<<"${stat##*) }"
  [[ "${fields[19]}" == "$2" ]] || return 1
  if [[ "${fields[0]}" == Z ]]; then
    wait "$1" 2>/dev/null || true
    return 1
  fi
}

# _tabel_record NAME PID SIGNAL: remembers a started process and how to stop it.
_tabel_record() {
  local start
  start="$(_tabel_proc_field "$2" 19)" || start=0
  printf '%s %s %s %s\n' "$1" "$2" "$start" "$3" >>"$_TABEL_SERVERS_DIR/servers.pids"
}

# _tabel_pid NAME: the pid of NAME's latest record (a restarted server has several).
_tabel_pid() {
  local name pid start sig found=""
  while read -r name pid start sig; do
    [[ "$name" == "$1" ]] && found="$pid"
  done <"$_TABEL_SERVERS_DIR/servers.pids"
  [[ -n "$found" ]] && printf '%s\n' "$found"
}

# _tabel_spawn NAME SIGNAL USER CWD LOG CMD...: starts CMD in the background in a session of
# its own (so terminal and process-group signals do not reach it) as USER, with stdin from
# /dev/null and output to LOG. setsid and setpriv exec, so the recorded pid is CMD itself.
_tabel_spawn() {
  local name="$1" sig="$2" user="$3" cwd="$4" log="$5"
  shift 5
  local -a prefix=(setsid)
  if [[ "$user" != root ]]; then
    prefix+=(setpriv "--reuid=$user" "--regid=$user" --init-groups)
  fi
  (cd "$cwd" && exec "${prefix[@]}" "$@") </dev/null >>"$log" 2>&1 &
  _tabel_record "$name" "$!" "$sig"
  disown "$!" # no "Killed" job notices; bash still reaps it
}

# _tabel_free_ports N: N distinct free TCP ports on 127.0.0.1.
_tabel_free_ports() {
  "$_TABEL_PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# _tabel_wait_ready KIND PORT PID START DEADLINE: polls 127.0.0.1:PORT with a check that
# speaks a little of the protocol until it answers (0), the process exits (2) or the epoch
# second DEADLINE passes (1).
_tabel_wait_ready() {
  # In the background: `wait` lets the caller's signal traps run at once.
  "$_TABEL_PY" - "$@" <<'EOF' &
import socket, struct, sys, time

kind, port, pid, start, deadline = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])

def alive():
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and fields[19] == start

def ready():
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.settimeout(2)
        if kind == "tcp":
            return True
        if kind == "redis":
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
        if kind == "smtp":
            ok = s.recv(512).startswith(b"220")
            s.sendall(b"QUIT\r\n")
            return ok
        if kind == "amqp":
            s.sendall(b"AMQP\x00\x00\x09\x01")
            head = s.recv(7)
            return len(head) == 7 and head[0] == 1  # a method frame: connection.start
        if kind == "postgres":
            body = struct.pack("!i", 196608) + b"user\0postgres\0database\0postgres\0\0"
            s.sendall(struct.pack("!i", len(body) + 4) + body)
            ok = s.recv(1) == b"R"  # authentication answer; "E" while starting up
            s.sendall(b"X\0\0\0\4")
            return ok
        raise SystemExit(f"unknown kind {kind}")

while True:
    try:
        if ready():
            sys.exit(0)
    except OSError:
        pass
    if not alive():
        sys.exit(2)
    if time.time() > deadline:
        sys.exit(1)
    time.sleep(0.1)
EOF
  wait "$!"
}

# _tabel_fail NAME WHY LOG...: reports a server that did not start, with its logs' tails.
_tabel_fail() {
  local name="$1" why="$2" log
  shift 2
  echo "tabel: $name did not start: $why" >&2
  for log in "$@"; do
    if [[ -s "$log" ]]; then
      echo "---- last lines of $log" >&2
      tail -n 40 "$log" >&2
    fi
  done
  echo "----" >&2
}

# _tabel_await NAME KIND PORT DEADLINE LOG...: waits for the recorded process NAME.
_tabel_await() {
  local name="$1" kind="$2" port="$3" deadline="$4"
  shift 4
  local pid start rc=0
  pid="$(_tabel_pid "$name")"
  start="$(_tabel_proc_field "$pid" 19)" || start=0
  _tabel_wait_ready "$kind" "$port" "$pid" "$start" "$deadline" || rc=$?
  case "$rc" in
    0) return 0 ;;
    2) _tabel_fail "$name" "it exited (port $port)" "$@" ;;
    *) _tabel_fail "$name" "no answer on 127.0.0.1:$port within ${TABEL_SERVERS_TIMEOUT}s" "$@" ;;
  esac
  return 1
}

# tabel_servers_start DIR [--owns-dir]: starts the four servers and exports TABEL_TEST_*.
# On failure prints which server failed with its log, stops what it started, returns 1.
tabel_servers_start() {
  local dir="${1:?usage: tabel_servers_start DIR [--owns-dir]}" owns_dir=0
  [[ "${2:-}" == --owns-dir ]] && owns_dir=1
  if ((EUID != 0)); then
    echo "tabel_servers_start: must run as root (servers run as users postgres and rabbitmq)" >&2
    return 1
  fi
  if [[ -n "$_TABEL_SERVERS_DIR" && -f "$_TABEL_SERVERS_DIR/servers.pids" ]]; then
    echo "tabel_servers_start: servers already started in $_TABEL_SERVERS_DIR" >&2
    return 1
  fi
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  _TABEL_SERVERS_DIR="$dir"
  local t0="$EPOCHREALTIME"
  # Background jobs must not get process groups of their own (an interactive caller's job
  # control would make setsid fork, and the recorded pids would be wrong).
  local had_monitor=0
  [[ "$-" == *m* ]] && had_monitor=1 && set +m

  local -a ports
  read -ra ports <<<"$(_tabel_free_ports 6)"
  local pg_port="${ports[0]}" amqp_port="${ports[1]}" dist_port="${ports[2]}"
  local epmd_port="${ports[3]}" redis_port="${ports[4]}" smtp_port="${ports[5]}"
  local deadline=$((${EPOCHREALTIME%[.,]*} + TABEL_SERVERS_TIMEOUT))

  # Folders: the servers' users must reach their own below DIR.
  chmod a+x "$dir"
  local pg="$dir/postgres" rmq="$dir/rabbitmq"
  mkdir -p "$pg" "$rmq/mnesia" "$rmq/log" "$dir/redis" "$dir/mail/cur" "$dir/mail/new" "$dir/mail/tmp"
  : >"$dir/servers.pids"
  printf '[].\n' >"$rmq/enabled_plugins"
  : >"$rmq/rabbitmq-env.conf"
  printf 'loopback_users = none\n' >"$rmq/rabbitmq.conf"
  chown -R postgres:postgres "$pg"
  chown -R rabbitmq:rabbitmq "$rmq"
  if ! runuser -u postgres -- test -w "$pg" || ! runuser -u rabbitmq -- test -w "$rmq"; then
    echo "tabel_servers_start: users postgres and rabbitmq cannot write below $dir (is a parent folder private?)" >&2
    _tabel_servers_abort "$had_monitor"
    return 1
  fi

  _tabel_start_watchdog "$owns_dir"

  # RabbitMQ is the slowest (~7 s): its own epmd first (Erlang must not start an untracked
  # one), then the broker, which boots while the others start.
  _tabel_spawn epmd KILL rabbitmq "$rmq" "$rmq/epmd.log" \
    /usr/bin/epmd -port "$epmd_port" -address 127.0.0.1
  _tabel_await epmd tcp "$epmd_port" "$deadline" "$rmq/epmd.log" || {
    _tabel_servers_abort "$had_monitor"
    return 1
  }
  local node="tabel-test-$amqp_port@localhost"
  # The broker's environment, one VAR=value a line: read again by ctl and restart.
  cat >"$rmq/server.env" <<EOF
HOME=$rmq
RUNNING_UNDER_SYSTEMD=true
RABBITMQ_NODENAME=$node
RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
RABBITMQ_NODE_PORT=$amqp_port
RABBITMQ_DIST_PORT=$dist_port
ERL_EPMD_PORT=$epmd_port
ERL_EPMD_ADDRESS=127.0.0.1
RABBITMQ_MNESIA_BASE=$rmq/mnesia
RABBITMQ_LOG_BASE=$rmq/log
RABBITMQ_PID_FILE=$rmq/rabbitmq.pid
RABBITMQ_CONFIG_FILE=$rmq/rabbitmq.conf
RABBITMQ_ADVANCED_CONFIG_FILE=$rmq/advanced.config
RABBITMQ_CONF_ENV_FILE=$rmq/rabbitmq-env.conf
RABBITMQ_ENABLED_PLUGINS_FILE=$rmq/enabled_plugins
RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}
ERL_CRASH_DUMP=$rmq/erl_crash.dump
EOF
  local tool
  for tool in ctl restart; do
    printf '#!/usr/bin/env bash\nexec bash %q __rabbitmq_%s %q "$@"\n' \
      "$_TABEL_SERVERS_LIB" "$tool" "$dir" >"$rmq/$tool"
    chmod 755 "$rmq/$tool"
  done
  _tabel_spawn_rabbitmq

  _tabel_spawn redis TERM root "$dir/redis" "$dir/redis/redis.log" \
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --dir "$dir/redis" --daemonize no --logfile ''

  _tabel_spawn smtp TERM root "$dir" "$dir/smtp.log" env PYTHONUNBUFFERED=1 \
    "$_TABEL_PY" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$dir/mail"

  if [[ ! -f /usr/share/postgresql/15/extension/btree_gist.control ]]; then
    echo "tabel_servers_start: btree_gist is missing (install postgresql-contrib)" >&2
    _tabel_servers_abort "$had_monitor"
    return 1
  fi
  if ! (cd "$pg" && runuser -u postgres -- "$_TABEL_PG_BIN/initdb" -D "$pg/data" -U postgres \
    -A trust -E UTF8 --locale=C.UTF-8 --no-sync) >"$pg/initdb.log" 2>&1; then
    _tabel_fail postgres "initdb failed" "$pg/initdb.log"
    _tabel_servers_abort "$had_monitor"
    return 1
  fi
  cat >>"$pg/data/postgresql.conf" <<EOF

# tabel test server
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  _tabel_spawn postgres INT postgres "$pg" "$pg/postgres.log" \
    env HOME="$pg" "$_TABEL_PG_BIN/postgres" -D "$pg/data"

  local pg_s redis_s smtp_s rmq_s
  if ! _tabel_await postgres postgres "$pg_port" "$deadline" "$pg/postgres.log" ||
    ! pg_s="$(_tabel_elapsed "$t0")" ||
    ! _tabel_await redis redis "$redis_port" "$deadline" "$dir/redis/redis.log" ||
    ! redis_s="$(_tabel_elapsed "$t0")" ||
    ! _tabel_await smtp smtp "$smtp_port" "$deadline" "$dir/smtp.log" ||
    ! smtp_s="$(_tabel_elapsed "$t0")" ||
    ! _tabel_await rabbitmq amqp "$amqp_port" "$deadline" \
      "$rmq/stdout.log" "$rmq/log/$node.log" ||
    ! rmq_s="$(_tabel_elapsed "$t0")"; then
    _tabel_servers_abort "$had_monitor"
    return 1
  fi

  export TABEL_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
  export TABEL_TEST_AMQP_URL="amqp://guest:guest@127.0.0.1:$amqp_port/%2F"
  export TABEL_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
  export TABEL_TEST_SMTP_URL="smtp://127.0.0.1:$smtp_port"
  export TABEL_TEST_SMTP_MAILBOX="$dir/mail"
  export TABEL_TEST_RABBITMQ_CTL="$rmq/ctl"
  export TABEL_TEST_RABBITMQ_RESTART="$rmq/restart"
  ((had_monitor)) && set -m
  echo "tabel: servers up in $rmq_s s in $dir (ready after: postgres :$pg_port ${pg_s} s," \
    "redis :$redis_port ${redis_s} s, smtp :$smtp_port ${smtp_s} s, rabbitmq :$amqp_port ${rmq_s} s)" >&2
}

# _tabel_spawn_rabbitmq: starts the broker of $_TABEL_SERVERS_DIR with its server.env.
_tabel_spawn_rabbitmq() {
  local rmq="$_TABEL_SERVERS_DIR/rabbitmq"
  local -a vars
  mapfile -t vars <"$rmq/server.env"
  _tabel_spawn rabbitmq TERM rabbitmq "$rmq" "$rmq/stdout.log" env "${vars[@]}" \
    /usr/lib/rabbitmq/bin/rabbitmq-server
}

# _tabel_rabbitmq_var NAME: a value of the broker's server.env.
_tabel_rabbitmq_var() {
  local line
  while IFS= read -r line; do
    if [[ "${line%%=*}" == "$1" ]]; then
      printf '%s\n' "${line#*=}"
      return 0
    fi
  done <"$_TABEL_SERVERS_DIR/rabbitmq/server.env"
  return 1
}

# _tabel_rabbitmq_ctl DIR ARGS...: rabbitmqctl ARGS against DIR's broker. Debian's
# /usr/sbin/rabbitmqctl would change HOME, and with it the Erlang cookie: run the real one as
# the broker's user, from its folder, with its environment.
_tabel_rabbitmq_ctl() {
  local rmq="$1/rabbitmq"
  shift
  local -a vars
  mapfile -t vars <"$rmq/server.env"
  cd "$rmq"
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups env "${vars[@]}" \
    /usr/lib/rabbitmq/bin/rabbitmqctl "$@"
}

# _tabel_rabbitmq_restart DIR [SECONDS]: stops DIR's broker with SIGTERM, waits SECONDS, starts
# it again (a new record in servers.pids; stopping skips the dead one) and waits until it
# accepts AMQP connections. Returns 1, with its logs' tails, if it does not come back.
_tabel_rabbitmq_restart() {
  _TABEL_SERVERS_DIR="$1"
  local down="${2:-0}" rmq="$1/rabbitmq" pid start
  if [[ ! -f "$1/servers.pids" ]]; then
    echo "tabel: no test servers run in $1" >&2
    return 1
  fi
  pid="$(_tabel_pid rabbitmq)" || return 1
  start="$(_tabel_proc_field "$pid" 19)" || start=0
  if _tabel_alive "$pid" "$start"; then
    kill -TERM "$pid" 2>/dev/null || true
    _tabel_wait_gone 30 1 "$pid" "$start" rabbitmq
  fi
  sleep "$down"
  # A stop claims servers.pids by renaming it: start nothing that it would not stop.
  if [[ ! -f "$1/servers.pids" ]]; then
    echo "tabel: the test servers in $1 are stopping" >&2
    return 1
  fi
  _tabel_spawn_rabbitmq
  local port node deadline=$((${EPOCHREALTIME%[.,]*} + TABEL_SERVERS_TIMEOUT))
  port="$(_tabel_rabbitmq_var RABBITMQ_NODE_PORT)"
  node="$(_tabel_rabbitmq_var RABBITMQ_NODENAME)"
  _tabel_await rabbitmq amqp "$port" "$deadline" "$rmq/stdout.log" "$rmq/log/$node.log"
}

# _tabel_elapsed T0: seconds since the $EPOCHREALTIME value T0, one decimal.
_tabel_elapsed() {
  local ms=$(((${EPOCHREALTIME//[!0-9]/} - ${1//[!0-9]/}) / 1000))
  printf '%d.%d\n' $((ms / 1000)) $((ms % 1000 / 100))
}

_tabel_servers_abort() {
  tabel_servers_stop || true
  (($1)) && set -m
  return 0
}

# _tabel_start_watchdog OWNS_DIR: a separate bash in its own session that waits for the
# caller ($$, or TABEL_SERVERS_WATCH_PID) to go away, then stops the servers.
_tabel_start_watchdog() {
  local caller="${TABEL_SERVERS_WATCH_PID:-$$}" caller_start
  caller_start="$(_tabel_proc_field "$caller" 19)"
  setsid bash "$_TABEL_SERVERS_LIB" __watchdog "$_TABEL_SERVERS_DIR" "$caller" "$caller_start" "$1" \
    </dev/null >>"$_TABEL_SERVERS_DIR/watchdog.log" 2>&1 &
  _tabel_record watchdog "$!" KILL
  disown "$!"
}

_tabel_watchdog_main() {
  local dir="$1" caller="$2" caller_start="$3" owns_dir="$4"
  local -a saved=()
  _TABEL_SERVERS_DIR="$dir"
  trap '' INT HUP TERM QUIT
  # A FIFO opened read-write never delivers EOF: `read -t` on it is a sleep without a child
  # process, so killing the watchdog leaves nothing behind.
  mkfifo "$dir/.watchdog.fifo"
  exec 3<>"$dir/.watchdog.fifo"
  rm -f "$dir/.watchdog.fifo"
  while _tabel_alive "$caller" "$caller_start"; do
    # A copy, in case DIR is removed while the servers still run.
    if [[ -f "$dir/servers.pids" ]]; then
      mapfile -t saved <"$dir/servers.pids" || true
    fi
    read -r -t 1 -u 3 _ || true
  done
  echo "watchdog: process $caller is gone; stopping the servers"
  if [[ -f "$dir/servers.pids" ]]; then
    tabel_servers_stop "$dir" || true
  elif ((${#saved[@]} > 0)); then
    _tabel_stop_records "$(printf '%s\n' "${saved[@]}")" || true
  fi
  if ((owns_dir)); then
    rm -rf "$dir"
  fi
}

# tabel_servers_stop [DIR]: stops every process tabel_servers_start recorded, waits for them
# to exit (SIGKILL after 20 s; epmd always gets SIGKILL, it ignores SIGTERM). Idempotent.
tabel_servers_stop() {
  local dir="${1:-$_TABEL_SERVERS_DIR}"
  [[ -n "$dir" && -f "$dir/servers.pids" ]] || return 0
  # Renaming claims the stop: of two concurrent calls only one proceeds.
  mv "$dir/servers.pids" "$dir/servers.pids.stopping" 2>/dev/null || return 0
  _tabel_stop_records "$(<"$dir/servers.pids.stopping")"
  mv "$dir/servers.pids.stopping" "$dir/servers.pids.stopped" 2>/dev/null || true
  [[ "$dir" == "$_TABEL_SERVERS_DIR" ]] && _TABEL_SERVERS_DIR=""
  return 0
}

# _tabel_stop_records RECORDS: stops the processes listed (lines "name pid start signal").
_tabel_stop_records() {
  local records="$1" name pid start sig
  local -a pids=() starts=() names=()
  # The watchdog first (unless this is it), so that it does not race this stop.
  while read -r name pid start sig; do
    [[ "$name" == watchdog ]] || continue
    if ((pid != BASHPID)) && _tabel_alive "$pid" "$start"; then
      kill -KILL "$pid" 2>/dev/null || true
      while _tabel_alive "$pid" "$start"; do sleep 0.05; done
    fi
  done <<<"$records"
  # Then the servers, all at once; epmd after its broker.
  while read -r name pid start sig; do
    [[ -z "$name" || "$name" == watchdog || "$name" == epmd ]] && continue
    if _tabel_alive "$pid" "$start"; then
      kill "-$sig" "$pid" 2>/dev/null || true
      pids+=("$pid") starts+=("$start") names+=("$name")
    fi
  done <<<"$records"
  _tabel_wait_gone 20 "${#pids[@]}" "${pids[@]}" "${starts[@]}" "${names[@]}"
  pids=() starts=() names=()
  while read -r name pid start sig; do
    [[ "$name" == epmd ]] || continue
    if _tabel_alive "$pid" "$start"; then
      kill -KILL "$pid" 2>/dev/null || true
      pids+=("$pid") starts+=("$start") names+=("$name")
    fi
  done <<<"$records"
  _tabel_wait_gone 5 "${#pids[@]}" "${pids[@]}" "${starts[@]}" "${names[@]}"
}

# _tabel_wait_gone SECONDS N PID... START... NAME...: waits for the processes to exit,
# then SIGKILLs the ones still there.
_tabel_wait_gone() {
  local limit="$1" n="$2" i left
  shift 2
  local -a pids=("${@:1:n}") starts=("${@:n+1:n}") names=("${@:2*n+1:n}")
  local until=$((${EPOCHREALTIME%[.,]*} + limit))
  while :; do
    left=0
    for ((i = 0; i < n; i++)); do
      _tabel_alive "${pids[i]}" "${starts[i]}" && left=$((left + 1))
    done
    ((left == 0)) && return 0
    ((${EPOCHREALTIME%[.,]*} < until)) || break
    sleep 0.1
  done
  for ((i = 0; i < n; i++)); do
    if _tabel_alive "${pids[i]}" "${starts[i]}"; then
      echo "tabel: ${names[i]} (pid ${pids[i]}) did not stop in ${limit}s; killing it" >&2
      kill -KILL "${pids[i]}" 2>/dev/null || true
    fi
  done
  for ((i = 0; i < n; i++)); do
    while _tabel_alive "${pids[i]}" "${starts[i]}"; do sleep 0.05; done
  done
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  case "${1:-}" in
    __watchdog) shift && _tabel_watchdog_main "$@" ;;
    __rabbitmq_ctl) shift && _tabel_rabbitmq_ctl "$@" ;;
    __rabbitmq_restart) shift && _tabel_rabbitmq_restart "$@" ;;
  esac
fi
