#!/usr/bin/env bash
# HTTP benchmark: wrk over loopback against a release build of tabel.
#   bench/http/run.sh [duration_seconds] [connections]
# Starts tabel on a free port with a throwaway SQLite database (logs at info
# level to /dev/null, as a deployed process writes them to stdout), measures
# the idle resident memory, runs wrk on /healthz (and /readyz, which touches
# the database through the blocking pool), then the RSS after the load, and
# prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration="${1:-10}"
connections="${2:-64}"
binary="build/release/tabel"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

work="$(mktemp -d -t tabel-bench.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
TABEL_DATABASE_URL="sqlite://$work/tabel.db" TABEL_HTTP_PORT="$port" TABEL_MAIL_DIR="$work/mail" \
  "$binary" serve >/dev/null 2>"$work/stderr" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
sleep 1
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
idle_rss="$(rss_kb)"

run_wrk() {
  local path="$1"
  wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port$path" >"$work/wrk.txt"
  local rps p50 p99
  rps="$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")"
  p50="$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
  errors="$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" | tr '\n' ' ' || true)"
  printf '| `GET %s` | %s | %s | %s | %s |\n' "$path" "$rps" "$p50" "$p99" "${errors:-none}"
}

echo "tabel $("$binary" version | awk '{print $2}'), $(nproc) cores, wrk -t2 -c$connections -d${duration}s, $(date -u +%Y-%m-%d)"
echo
echo '| request | req/s | p50 | p99 | errors |'
echo '|---|---|---|---|---|'
run_wrk /healthz
run_wrk /readyz
echo
awk -v idle="$idle_rss" -v loaded="$(rss_kb)" 'BEGIN {
  printf "| memory | RSS |\n|---|---|\n| idle after start | %.1f MB |\n| after the load | %.1f MB |\n", idle / 1024, loaded / 1024
}'
