#include "app/demo.hpp"

#include "auth/accounts.hpp"
#include "auth/password_hasher.hpp"
#include "auth/permissions.hpp"

namespace tabel::app {

const std::vector<DemoLogin>& DemoLogins() {
  static const std::vector<DemoLogin> logins = {
      {"admin", {std::string(auth::kRoleAdmin)}},
      {"hr", {std::string(auth::kRoleHr), std::string(auth::kRoleEmployee)}},
      {"accountant", {std::string(auth::kRoleAccountant), std::string(auth::kRoleEmployee)}},
      {"manager", {std::string(auth::kRoleManager), std::string(auth::kRoleEmployee)}},
      {"manager2", {std::string(auth::kRoleManager), std::string(auth::kRoleEmployee)}},
      {"employee", {std::string(auth::kRoleEmployee)}},
      {"auditor", {std::string(auth::kRoleAuditor)}},
  };
  return logins;
}

int EnsureDemoAccounts(auth::AccountRepository& accounts, auth::PasswordHasher& hasher,
                       const std::string& password,
                       const std::vector<std::pair<std::string, int64_t>>& employee_of_login,
                       std::ostream& out) {
  int created = 0;
  std::string hash;
  for (const DemoLogin& demo : DemoLogins()) {
    if (accounts.FindByLogin(demo.login)) continue;
    if (hash.empty()) hash = hasher.Hash(password);
    std::optional<int64_t> employee_id;
    for (const auto& link : employee_of_login) {
      if (link.first == demo.login) employee_id = link.second;
    }
    accounts.Create(
        {.login = demo.login, .password_hash = hash, .employee_id = employee_id, .roles = demo.roles});
    ++created;
  }
  out << "Tabel demo logins (password from TABEL_DEMO_PASSWORD, default \"demo\"):\n";
  for (const DemoLogin& demo : DemoLogins()) {
    std::string roles;
    for (const std::string& role : demo.roles) roles += (roles.empty() ? "" : ", ") + role;
    out << "  " << demo.login << std::string(12 - std::min<size_t>(demo.login.size(), 11), ' ') << roles
        << "\n";
  }
  out << "Log in: POST /api/v1/auth/login {\"login\":\"hr\",\"password\":\"…\"}; try it at /docs\n";
  out.flush();
  return created;
}

}  // namespace tabel::app
