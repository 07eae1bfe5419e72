#!/usr/bin/env bash
# What PostgreSQL alone can serve of create-and-approve on this machine:
# pgbench, with no tabel and no HTTP in between, sends the statements the
# management service sends for one request created and approved (as they
# reach the server: src/management/repository.cpp, the users and access
# reads it makes, every one prepared as tabel keeps it per session) against
# the company of `tabel seed --employees 25000 --seed 1` with a year of
# request history (bench/lib.sh add_request_history). One pgbench
# transaction is one pair:
#   create   the type, the employee, his approver; BEGIN, his leave account
#            locked, his employment, the overlap check, the request, its
#            history, outbox and audit rows; COMMIT
#   approve  the request, the type; BEGIN, the account locked, the request
#            locked, updated, its history, outbox and audit rows; COMMIT
# 23 round trips; the relay's work (the events routed into task_queue) is
# left out, so the ceiling is generous. A random employee each time (tabel's
# benchmark uses the 45 of one department), a remote day far in the future.
# If the pairs a second pgbench reaches, doubled, are under the target of
# requests a second, tabel cannot reach it on these cores however little
# work of its own it does.
#   bench/requests/pg_ceiling.sh [duration_seconds] [clients]
# PostgreSQL: a private throwaway cluster (initdb as user postgres in the
# temporary folder, with the settings of scripts/lib/servers.sh; needs root),
# or an empty database given as TABEL_BENCH_POSTGRES_URL. The seed is made by
# build/release/tabel, or TABEL_BENCH_BINARY. If the repository's statements
# change, this script must follow them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration="${1:-8}"
clients="${2:-16}"
postgres_url="${TABEL_BENCH_POSTGRES_URL:-}"
binary="${TABEL_BENCH_BINARY:-build/release/tabel}"
[[ -x "$binary" ]] || { echo "$binary is missing: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

work="$(mktemp -d -t tabel-bench-requests-ceiling.XXXXXX)"
bench_name=requests-pg-ceiling
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh
[[ -n "$postgres_url" ]] || start_postgres

seed_company "$postgres_url" 25000
add_request_history "$postgres_url"
sql "VACUUM ANALYZE"

request="SELECT r.id, r.type, r.employee_id, e.department_id, r.start_date, r.end_date, r.status, r.exclusive,
  r.steps, r.step, r.step_role, r.approver_employee_id, r.balance_kind, r.charged_centidays, r.comment,
  r.destination, r.purpose, r.travel_days, r.certificate_number, r.hours, r.warnings, r.created_by, r.version,
  r.created_at, r.updated_at FROM requests r JOIN employees e ON e.id = r.employee_id"
type="SELECT code, name, kind, t13_code, t13_number, approval_steps, notice_days, min_days, max_days,
  balance_kind, allow_past, exclusive, confidential, on_behalf, builtin, version FROM request_types
  WHERE code = 'remote_day'"
payload='{"action":"submitted","actor_account_id":5,"approver_employee_id":2,"employee_id":600,"end_date":"2027-01-10","request_id":1000,"start_date":"2027-01-10","status":"pending","step":0,"step_role":"manager","type":"remote_day"}'
events() { # the history, outbox and audit rows of a transition
  cat <<EOF
INSERT INTO request_history (request_id, at, account_id, actor_employee_id, action, from_status, to_status,
  step, comment) VALUES (:id, now(), 5, :e, '$1', NULL, '$2', 0, NULL);
INSERT INTO outbox (id, topic, payload, headers, available_at, created_at) VALUES (gen_random_uuid()::text,
  'request.$1', '$payload', '{}', now(), now());
INSERT INTO audit_log (at, account_id, action, object_type, object_id, client, request_id, details)
  VALUES (now(), 5, 'request.$1', 'request', CAST(:id AS text), '127.0.0.1', 'bench', '$payload');
EOF
}
{
  cat <<EOF
\\set e random(1000, 24000)
\\set day random(1000, 2000000000)
$type;
SELECT e.id, e.personnel_number, e.last_name, e.first_name, e.middle_name, e.email, e.position_id, p.name,
  e.department_id, e.hire_date, e.dismissal_date, e.probation_end_date, e.employment_rate, e.schedule_id,
  e.phone, e.region, e.salary_kopecks, e.version FROM employees e JOIN positions p ON p.id = e.position_id
  WHERE e.id = :e \\gset
SELECT d.head_employee_id FROM department_closure c JOIN departments d ON d.id = c.ancestor_id
  JOIN employees h ON h.id = d.head_employee_id WHERE c.descendant_id = :department_id
  AND d.head_employee_id <> :e AND (h.dismissal_date IS NULL OR h.dismissal_date >= current_date)
  AND EXISTS (SELECT 1 FROM user_accounts a JOIN account_roles ar ON ar.account_id = a.id
  JOIN role_permissions rp ON rp.role_id = ar.role_id WHERE a.employee_id = d.head_employee_id
  AND a.disabled = 0 AND rp.permission = 'requests.approve') ORDER BY c.depth LIMIT 1;
BEGIN;
SELECT accrued_months FROM leave_accounts WHERE employee_id = :e FOR UPDATE;
SELECT department_id, hire_date, dismissal_date, region FROM employees WHERE id = :e;
$request WHERE r.employee_id = :e AND r.exclusive = 1 AND r.status IN ('pending', 'approved') AND r.id <> 0
  AND (r.end_date >= (current_date + CAST(:day AS integer)) OR (r.end_date IS NULL AND r.start_date >= (current_date + CAST(:day AS integer))))
  AND r.start_date <= (current_date + CAST(:day AS integer)) ORDER BY r.start_date;
INSERT INTO requests (type, employee_id, start_date, end_date, status, steps, step, step_role,
  approver_employee_id, balance_kind, charged_centidays, comment, destination, purpose, travel_days,
  certificate_number, hours, warnings, exclusive, created_by, idempotency_key, idempotency_fingerprint, version,
  created_at, updated_at) VALUES ('remote_day', :e, (current_date + CAST(:day AS integer)), (current_date + CAST(:day AS integer)), 'pending',
  'manager', 0, 'manager', 2, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, '[]', 1, 5, NULL, NULL, 1, now(),
  now()) RETURNING id \\gset
$(events submitted pending)
COMMIT;
$request WHERE r.id = :id;
$type;
BEGIN;
SELECT accrued_months FROM leave_accounts WHERE employee_id = :e FOR UPDATE;
$request WHERE r.id = :id FOR UPDATE OF r;
UPDATE requests SET start_date = (current_date + CAST(:day AS integer)), end_date = (current_date + CAST(:day AS integer)), status = 'approved',
  steps = 'manager', step = 0, step_role = NULL, approver_employee_id = NULL, balance_kind = NULL,
  charged_centidays = 0, comment = NULL, destination = NULL, purpose = NULL, travel_days = NULL,
  certificate_number = NULL, hours = NULL, warnings = '[]', exclusive = 1, version = version + 1,
  updated_at = now() WHERE id = :id;
$(events approved approved)
COMMIT;
EOF
} >"$work/pair.sql"

echo "tabel $("$binary" version | awk '{print $2}') seed + history, $(nproc) cores, pgbench -M prepared -c$clients -j2 -T$duration, $(date -u +%F)"
echo
echo "| workload | pairs/s (tps) | requests/s (2 × tps) | mean latency | CPU % postgres / pgbench / other | CPU ms per pair postgres |"
echo "|---|---|---|---|---|---|"
result="$(run_pgbench prepared "$work/pair.sql")"
read -r tps latency pg client other failed <<<"$result"
echo "| create-and-approve, 23 statements | $tps | $((2 * tps)) | $latency ms | $pg / $client / $other |" \
  "$(awk -v pg="$pg" -v tps="$tps" 'BEGIN { printf "%.2f", pg / 100 / tps * 1000 }') |"
if ((failed > 0)); then printf '\n%s failed transactions\n' "$failed"; fi
