#!/usr/bin/env bash
# HTTP benchmark: wrk over loopback against a release build of tabel.
#   bench/http/run.sh [duration_seconds] [connections] [wrk_threads]
# For 1 and then 2 io threads: starts tabel on a free port with a throwaway
# SQLite database (access log at info level to /dev/null, as a deployed
# process writes it to stdout), measures the idle resident memory, runs wrk
# on /healthz and /readyz (which touches the database through the blocking
# pool), then the RSS after the load, and prints Markdown tables for
# docs/benchmarks.md. wrk runs on the same cores as the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration="${1:-10}"
connections="${2:-64}"
wrk_threads="${3:-1}"
binary="build/release/tabel"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

work="$(mktemp -d -t tabel-bench.XXXXXX)"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }

run_wrk() {
  local io_threads="$1" path="$2" rps p50 p99 errors
  wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port$path" >"$work/wrk.txt"
  rps="$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.txt")"
  p50="$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
  errors="$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" | tr '\n' ' ' || true)"
  printf '| %s | `GET %s` | %s | %s | %s | %s |\n' "$io_threads" "$path" "$rps" "$p50" "$p99" "${errors:-none}"
}

echo "tabel $("$binary" version | awk '{print $2}'), $(nproc) cores, wrk -t$wrk_threads -c$connections -d${duration}s, $(date -u +%Y-%m-%d)"
echo
echo '| io threads | request | req/s | p50 | p99 | errors |'
echo '|---|---|---|---|---|---|'
memory=()
for io_threads in 1 2; do
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  rm -f "$work"/tabel.db*
  TABEL_DATABASE_URL="sqlite://$work/tabel.db" TABEL_HTTP_PORT="$port" TABEL_MAIL_DIR="$work/mail" \
    TABEL_IO_THREADS="$io_threads" "$binary" serve >/dev/null 2>"$work/stderr" &
  pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  sleep 1
  idle="$(rss_mb)"
  run_wrk "$io_threads" /healthz
  run_wrk "$io_threads" /readyz
  memory+=("| $io_threads | $idle MB | $(rss_mb) MB |")
  kill "$pid" && wait "$pid" || true
  pid=""
done
echo
echo '| io threads | RSS idle after start | RSS after the load |'
echo '|---|---|---|'
printf '%s\n' "${memory[@]}"
