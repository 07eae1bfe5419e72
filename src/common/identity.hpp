#pragma once
// Who the caller is: set by the authenticator on every non-public request
// (http::Request::identity holds a tabel::Identity) and read by every
// service's authorization checks.
// Thread-safety: a plain value.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabel {

// How far a permission reaches: the caller's own objects, those of the
// departments he heads (transitively), or every object.
enum class Scope { kSelf = 0, kSubtree = 1, kAll = 2 };

constexpr std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kSelf:
      return "self";
    case Scope::kSubtree:
      return "subtree";
    case Scope::kAll:
      return "all";
  }
  return "self";
}

// "self", "subtree" or "all"; nullopt for anything else.
inline std::optional<Scope> ParseScope(std::string_view name) {
  if (name == "self") return Scope::kSelf;
  if (name == "subtree") return Scope::kSubtree;
  if (name == "all") return Scope::kAll;
  return std::nullopt;
}

struct PermissionGrant {
  std::string permission;  // a name from auth/permissions.hpp
  Scope scope = Scope::kSelf;

  friend bool operator==(const PermissionGrant&, const PermissionGrant&) = default;
};

struct Identity {
  int64_t account_id = 0;
  std::optional<int64_t> employee_id;  // absent for technical accounts
  std::string login;
  std::vector<std::string> roles;  // role codes, sorted
  // One grant per permission, with the broadest scope any of the roles
  // gives; sorted by permission.
  std::vector<PermissionGrant> permissions;

  // The scope of `permission`, or nullopt when the caller lacks it.
  std::optional<Scope> ScopeOf(std::string_view permission) const {
    const auto found =
        std::find_if(permissions.begin(), permissions.end(),
                     [&](const PermissionGrant& grant) { return grant.permission == permission; });
    if (found == permissions.end()) return std::nullopt;
    return found->scope;
  }
  bool Has(std::string_view permission) const { return ScopeOf(permission).has_value(); }
  bool HasRole(std::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
};

}  // namespace tabel
