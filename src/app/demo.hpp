#pragma once
// `tabel serve --demo`: the demo logins of PRODUCT.md, created once on an
// empty database so that every flow can be tried at once.
//
// The demo company itself (departments, employees) is users::
// EnsureDemoCompany; here are the logins linked to its employees.
// Thread-safety: called once at start-up from the main thread.

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
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
// `employee_of_login` links a login to its demo employee (users::
// EnsureDemoCompany); a login without an entry gets no employee.
int EnsureDemoAccounts(auth::AccountRepository& accounts, auth::PasswordHasher& hasher,
                       const std::string& password,
                       const std::vector<std::pair<std::string, int64_t>>& employee_of_login,
                       std::ostream& out);

}  // namespace tabel::app
