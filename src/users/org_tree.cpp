#include "users/org_tree.hpp"

#include <stdexcept>
#include <unordered_map>

namespace tabel::users {
namespace {

constexpr const char* kSelectEdges = "SELECT id, parent_id FROM departments";
constexpr const char* kDeleteClosure = "DELETE FROM department_closure";
constexpr const char* kInsertClosure =
    "INSERT INTO department_closure (ancestor_id, descendant_id, depth) VALUES (:ancestor, :descendant, "
    ":depth)";

}  // namespace

std::vector<ClosureRow> ComputeClosure(const std::vector<TreeEdge>& edges) {
  std::unordered_map<int64_t, int64_t> parent_of;
  parent_of.reserve(edges.size());
  for (const TreeEdge& edge : edges) parent_of[edge.id] = edge.parent_id;
  std::vector<ClosureRow> rows;
  rows.reserve(edges.size() * 4);
  for (const TreeEdge& edge : edges) {
    int64_t ancestor = edge.id;
    for (int depth = 0; ancestor != 0; ++depth) {
      if (depth > static_cast<int>(edges.size()))
        throw std::invalid_argument("the department tree has a cycle");
      rows.push_back({ancestor, edge.id, depth});
      const auto parent = parent_of.find(ancestor);
      ancestor = parent == parent_of.end() ? 0 : parent->second;
    }
  }
  return rows;
}

void RebuildDepartmentClosure(soci::session& session) {
  std::vector<TreeEdge> edges;
  {
    long long id = 0, parent = 0;
    soci::indicator parent_ind = soci::i_null;
    soci::statement select =
        (session.prepare << kSelectEdges, soci::into(id), soci::into(parent, parent_ind));
    select.execute(false);
    while (select.fetch()) edges.push_back({id, parent_ind == soci::i_ok ? parent : 0});
  }
  const std::vector<ClosureRow> rows = ComputeClosure(edges);
  session << kDeleteClosure;
  if (rows.empty()) return;
  std::vector<long long> ancestors, descendants;
  std::vector<int> depths;
  ancestors.reserve(rows.size());
  descendants.reserve(rows.size());
  depths.reserve(rows.size());
  for (const ClosureRow& row : rows) {
    ancestors.push_back(row.ancestor_id);
    descendants.push_back(row.descendant_id);
    depths.push_back(row.depth);
  }
  session << kInsertClosure, soci::use(ancestors, "ancestor"), soci::use(descendants, "descendant"),
      soci::use(depths, "depth");
}

}  // namespace tabel::users
