#pragma once
// The management service's starting data: the request types of PRODUCT.md
// (as builtin rows that hr may change), and opening leave balances for
// employees who have none yet — the balances a company brings from the
// system it leaves, here generated for the demo and the seeded companies.
// Thread-safety: free functions; each runs its own write transaction.

#include <cstdint>
#include <functional>

#include "common/clock.hpp"
#include "common/date.hpp"
#include "infra/db/database.hpp"

namespace tabel::management {

// Inserts every builtin type that is missing; existing rows are left as
// they are (hr may have changed them). Idempotent, safe from several
// replicas at once. Errors: tabel::Error from the database helpers.
void EnsureRequestTypes(db::Database& database, const Clock& clock);

// For every current employee without a leave account: an account whose
// accrual is posted up to `today` and an opening entry of
// opening_days(employee_id) annual days (hundredths). Returns how many
// were opened. Errors: tabel::Error from the database helpers.
int OpenBalances(db::Database& database, const Clock& clock,
                 const std::function<int64_t(int64_t)>& opening_centidays);

}  // namespace tabel::management
