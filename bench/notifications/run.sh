#!/usr/bin/env bash
# Notification benchmark, through RabbitMQ to a real SMTP server, against a
# release build of tabel on PostgreSQL:
#   bench/notifications/run.sh [mails] [runs] [consumer_threads]   (defaults 10000, 3, 8)
#
# The targets of issue 7: "10,000 approval notifications from outbox to the
# SMTP sink through RabbitMQ in under 60 s; outbox relay at 5,000 messages/s
# or more with confirms".
#
# It starts PostgreSQL, RabbitMQ and the SMTP sink of scripts/lib/servers.sh
# (needs root) in a private folder, and tabel `serve --demo` on them.
#  * Relay: tabel with no consumers (TABEL_WORKER_THREADS=0) relays `mails`
#    outbox rows of a topic no queue takes, inserted at once; the time from
#    the insert's commit until the last is marked published (each batch
#    published under confirms first) gives messages per second.
#  * Pipeline: tabel with `consumer_threads` consumers. The demo employee's
#    vacation is approved over HTTP; then `mails` request.approved events of
#    that request (distinct message ids) are inserted into the outbox at once,
#    and each goes the whole way: relay → RabbitMQ → the notification
#    consumer (rules, people, the notification row and its mail message in
#    one transaction; then, for an event of few mails, as this one, the
#    mail rendered, sent over SMTP and recorded, and its message withdrawn;
#    else relay → RabbitMQ → the mail consumer doing the same) → the sink's
#    Maildir. Timed from the insert's commit to
#    the last mail recorded sent, with the count of messages the sink
#    received checked against it.
# TABEL_BENCH_TRANSPORT=embedded runs the same on the in-process queue in
# PostgreSQL instead of RabbitMQ, for comparison.
# It prints a Markdown table (each run and the median) for
# docs/benchmarks.md; progress goes to stderr. The server is
# build/release/tabel, or TABEL_BENCH_BINARY (copied at start).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

mails="${1:-10000}"
runs="${2:-3}"
threads="${3:-8}"
password=demo
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
command -v psql >/dev/null || { echo "psql is missing: apt-get install -y postgresql-client" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
((EUID == 0)) || { echo "the servers need root (they run as users postgres and rabbitmq)" >&2; exit 1; }

# Only our settings reach tabel.
while read -r name; do
  [[ "$name" == TABEL_BENCH_* ]] || unset "$name"
done < <(compgen -e | grep '^TABEL_' || true)
export TABEL_JWT_SECRET="tabel-bench-notifications-0123456789abcdef"
export TABEL_DEMO_PASSWORD="$password"
export TABEL_HTTP_HOST=127.0.0.1 TABEL_HTTP_PORT=0 TABEL_LOG_LEVEL=info

work="$(mktemp -d -t tabel-bench-notifications.XXXXXX)"
bench_name=notifications
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh
# shellcheck source=scripts/lib/servers.sh disable=SC1091
source scripts/lib/servers.sh
chmod a+x "$work"
servers_dir="$work/servers"
mkdir -p "$servers_dir"
TABEL_SERVERS_WATCH_PID=$$ tabel_servers_start "$servers_dir" >&2
postgres_url="$TABEL_TEST_POSTGRES_URL"
mailbox="$TABEL_TEST_SMTP_MAILBOX"
transport="${TABEL_BENCH_TRANSPORT:-amqp}"
[[ "$transport" == embedded ]] || export TABEL_AMQP_URL="$TABEL_TEST_AMQP_URL"
export TABEL_SMTP_URL="$TABEL_TEST_SMTP_URL" TABEL_MAIL_FROM="tabel@bench.test"

# now_ms: the wall clock in milliseconds.
now_ms() { echo $((${EPOCHREALTIME/[.,]/} / 1000)); }

# wait_for SQL TARGET [INTERVAL]: polls the count SQL prints every INTERVAL
# seconds (0.05) until it reaches TARGET; prints the milliseconds since $t0.
# The pipeline polls every 0.5 s: each poll starts a psql, whose CPU the
# pipeline would lose.
wait_for() {
  local count
  while :; do
    count="$(sql "$1")"
    ((count >= $2)) && break
    sleep "${3:-0.05}"
  done
  echo $(($(now_ms) - t0))
}

# insert_events TOPIC PAYLOAD PREFIX: `mails` outbox rows in one statement.
insert_events() {
  sql "INSERT INTO outbox (id, topic, payload, headers, available_at, created_at)
       SELECT '$3-' || i, '$1', '$2', '{}', now(), now() FROM generate_series(1, $mails) AS i"
}

# ---- the relay ----
TABEL_WORKER_THREADS=0 start_tabel "$postgres_url" 1
relay=()
for run in $(seq "$runs"); do
  insert_events bench.relay '{}' "relay$run"
  t0="$(now_ms)"
  ms="$(wait_for "SELECT COUNT(*) FROM outbox WHERE topic = 'bench.relay' AND published_at IS NOT NULL" $((run * mails)))"
  relay+=("$ms")
  echo "  relay run $run: $mails messages published under confirms in $ms ms" >&2
done
stop_tabel

# ---- the pipeline ----
TABEL_WORKER_THREADS="$threads" start_tabel "$postgres_url" 1
employee="$(login employee)"
manager="$(login manager)"
year=$(($(date +%Y) + 2))
request="$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/requests" -H "Authorization: Bearer $employee" \
  -H 'Content-Type: application/json' \
  -d "{\"type\":\"vacation\",\"start_date\":\"$year-03-02\",\"end_date\":\"$year-03-15\",\"submit\":true}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
curl -sf -X POST "http://127.0.0.1:$port/api/v1/requests/$request/approve" -H "Authorization: Bearer $manager" \
  -o /dev/null
approved="SELECT COUNT(*) FROM notifications WHERE event = 'request.approved' AND request_id = $request"
t0="$(now_ms)"
wait_for "$approved AND mail_status = 'sent'" 1 >/dev/null
payload="{\"request_id\": $request, \"action\": \"approved\", \"employee_id\": 4, \"status\": \"approved\"}"
told=()
sent=()
cpu=()
# The processes whose CPU each run takes (each with its children).
cpu_trees=("tabel=$pid")
for server in postgres rabbitmq smtp; do
  cpu_trees+=("$server=$(awk -v name="$server" '$1 == name { print $2 }' "$servers_dir/servers.pids")")
done
for run in $(seq "$runs"); do
  received_before="$(find "$mailbox/new" -type f | wc -l)"
  ticks_before="$(cpu_ticks_of_trees "${cpu_trees[@]}")"
  insert_events request.approved "$payload" "approved$run"
  t0="$(now_ms)"
  told+=("$(wait_for "$approved" $((run * mails + 1)) 0.5)")
  sent+=("$(wait_for "$approved AND mail_status = 'sent'" $((run * mails + 1)) 0.5)")
  cpu+=("$ticks_before|$(cpu_ticks_of_trees "${cpu_trees[@]}")")
  sleep 1
  received=$(($(find "$mailbox/new" -type f | wc -l) - received_before))
  ((received >= mails)) || { echo "the sink received $received of $mails mails" >&2; exit 1; }
  echo "  pipeline run $run: $mails told in ${told[-1]} ms, mailed in ${sent[-1]} ms; the sink received $received" >&2
done
duplicates="$(find "$mailbox/new" -type f | wc -l)"
stop_tabel

echo "tabel $version, $(nproc) cores, PostgreSQL + ${TABEL_AMQP_URL:+RabbitMQ + }SMTP sink (aiosmtpd) on loopback," \
  "transport $transport, $mails messages," \
  "$threads consumer threads, $runs runs, $(date -u +%Y-%m-%d)"
echo
python3 - "$mails" "$duplicates" "$(getconf CLK_TCK)" "${relay[*]}" "${told[*]}" "${sent[*]}" "${cpu[@]}" <<'EOF'
import statistics, sys
mails, received, hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
relay, told, sent = ([int(x) for x in a.split()] for a in sys.argv[4:7])
def ticks(text):
    return {k: int(v) for k, v in (field.split("=") for field in text.split())}
cpu = []  # per run: {name: ms of CPU per mail}
for run in sys.argv[7:]:
    before, after = (ticks(t) for t in run.split("|"))
    cpu.append({k: (after[k] - before[k]) * 1000 / hz / mails for k in before if k != "total"})
    cpu[-1]["busy share"] = (after["busy"] - before["busy"]) / (after["total"] - before["total"])
runs = len(relay)
print("| | " + " | ".join(f"run {i + 1}" for i in range(runs)) + " | median |")
print("|---|" + "---|" * (runs + 1))
def row(label, values, fmt):
    print(f"| {label} | " + " | ".join(fmt(v) for v in values) + f" | **{fmt(statistics.median(values))}** |")
row("relay: outbox → RabbitMQ under confirms", relay, lambda ms: f"{ms / 1000:.2f} s")
row("relay rate", [mails * 1000 / ms for ms in relay], lambda r: f"{r:,.0f} msg/s")
row("approvals told (notification rows)", told, lambda ms: f"{ms / 1000:.2f} s")
row(f"{mails:,} approval mails: outbox → SMTP sink", sent, lambda ms: f"{ms / 1000:.2f} s")
row("mail rate", [mails * 1000 / ms for ms in sent], lambda r: f"{r:,.0f} mails/s")
for name, label in [("tabel", "tabel"), ("postgres", "PostgreSQL"), ("rabbitmq", "RabbitMQ"),
                    ("smtp", "SMTP sink"), ("busy", "the whole machine")]:
    row(f"CPU per mail: {label}", [c[name] for c in cpu], lambda ms: f"{ms:.2f} ms")
row("cores busy (of all)", [c["busy share"] for c in cpu], lambda share: f"{share:.0%}")
print(f"\nThe sink received {received:,} messages in all ({runs * mails + 1:,} mails recorded sent).")
EOF
