#!/usr/bin/env bash
# What PostgreSQL alone can serve of the Users API's reads on this machine:
# pgbench, with no tabel and no HTTP in between, runs the statements the users
# service sends for one employee and for a page of 50 (src/users/repository.cpp,
# as they reach the server) against the company of `tabel seed --employees
# 25000 --seed 1`. The rate pgbench reaches is a ceiling for the same request
# through tabel on the same cores: tabel adds HTTP, authentication, JSON and
# its own side of the protocol.
#   bench/users/pg_ceiling.sh [duration_seconds] [clients]
# Three statements, `clients` connections (default 16), pgbench -j 2:
#   by id      one employee by primary key, a random id each time (prepared,
#              as tabel keeps it per session)
#   page (hr)  the first page of 50 current employees, no reach condition
#              (prepared, as tabel keeps it)
#   page (manager)  the same page within the 39 departments t000002 reaches,
#              as literals planned each time (as tabel sends it on PostgreSQL:
#              a plan made once for any departments reads every employee)
# PostgreSQL: a private throwaway cluster (initdb as user postgres in the
# temporary folder, with the settings of scripts/lib/servers.sh; needs root),
# or an empty database given as TABEL_BENCH_POSTGRES_URL. The seed is made by
# build/release/tabel, or TABEL_BENCH_BINARY.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration="${1:-8}"
clients="${2:-16}"
postgres_url="${TABEL_BENCH_POSTGRES_URL:-}"
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

work="$(mktemp -d -t tabel-bench-pg-ceiling.XXXXXX)"
bench_name=users-pg-ceiling
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh
[[ -n "$postgres_url" ]] || start_postgres

seed_company "$postgres_url" 25000
today="$(date -u +%F)"
departments="$(sql "SELECT string_agg(descendant_id::text, ',' ORDER BY descendant_id) FROM department_closure WHERE ancestor_id = 2")"

columns="e.id, e.personnel_number, e.last_name, e.first_name, e.middle_name, e.email, e.position_id, p.name,
  e.department_id, e.hire_date, e.dismissal_date, e.probation_end_date, e.employment_rate, e.schedule_id,
  e.phone, e.region, e.salary_kopecks, e.version"
cat >"$work/by_id.sql" <<EOF
\\set id random(1, 25000)
SELECT $columns FROM employees e JOIN positions p ON p.id = e.position_id WHERE e.id = :id;
EOF
page() {
  echo "SELECT $columns FROM employees e JOIN (SELECT e.id FROM employees e WHERE $1" \
    "(e.dismissal_date IS NULL OR e.dismissal_date >= '$today') ORDER BY e.id LIMIT 51) page" \
    "ON page.id = e.id JOIN positions p ON p.id = e.position_id ORDER BY e.id;"
}
page "" >"$work/page_hr.sql"
page "(e.department_id = ANY('{$departments}'::bigint[])) AND" >"$work/page_manager.sql"

echo "tabel $("$binary" version | awk '{print $2}') seed, $(nproc) cores, pgbench -c$clients -j2 -T$duration, $(date -u +%F)"
echo
echo "| statement | pgbench mode | tps | mean latency | CPU % postgres / pgbench / other |"
echo "|---|---|---|---|---|"
for run in "by id:by_id:prepared" "page of 50 (hr):page_hr:prepared" "page of 50 (manager):page_manager:simple"; do
  IFS=: read -r label file mode <<<"$run"
  result="$(run_pgbench "$mode" "$work/$file.sql")"
  read -r tps latency pg client other _ <<<"$result"
  echo "| $label | $mode | $tps | $latency ms | $pg / $client / $other |"
done
