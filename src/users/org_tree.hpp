#pragma once
// The department tree's closure table (department_closure: every ancestor –
// descendant pair, itself at depth 0), which object-level authorization and
// the subtree filters read. Rebuilt in the same transaction as every change
// of the tree; ~600 departments × depth ≤ 6 is a few thousand rows.
// Thread-safety: functions on the caller's session, inside its transaction.

#include <soci/soci.h>

#include <cstdint>
#include <vector>

namespace tabel::users {

struct TreeEdge {
  int64_t id = 0;
  int64_t parent_id = 0;  // 0 for a root
};

// Every (ancestor, descendant, depth) of the forest `edges`. Throws
// std::invalid_argument when the edges contain a cycle. Pure.
struct ClosureRow {
  int64_t ancestor_id, descendant_id;
  int depth;
};
std::vector<ClosureRow> ComputeClosure(const std::vector<TreeEdge>& edges);

// Replaces department_closure with the closure of the departments table.
// Errors: soci::soci_error.
void RebuildDepartmentClosure(soci::session& session);

}  // namespace tabel::users
