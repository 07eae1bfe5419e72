#pragma once
// `tabel serve --demo`: the demo logins of PRODUCT.md, created once on an
// empty database so that every flow can be tried at once.
//
// Today the demo holds the accounts and their roles; the demo company
// (departments, employees, leave balances) joins them with the users service.
// Thread-safety: called once at start-up from the main thread.

#include <ostream>
#include <string>
#include <vector>

namespace tabel::auth {
class AccountRepository;
class PasswordHasher;
}  // namespace tabel::auth

namespace tabel::app {

struct DemoLogin {
  std::string login;
  std::vector<std::string> roles;
};

// The demo logins and their roles.
const std::vector<DemoLogin>& DemoLogins();

// Creates every demo login that does not exist yet (all with `password`),
// leaves existing ones untouched, and prints how to log in to `out`.
// Returns how many accounts it created. Database errors propagate.
int EnsureDemoAccounts(auth::AccountRepository& accounts, auth::PasswordHasher& hasher,
                       const std::string& password, std::ostream& out);

}  // namespace tabel::app
