-- Object-level access: the department tree as a closure table (every
-- ancestor–descendant pair, itself included at depth 0), so that "the
-- departments a person heads, transitively" is one indexed join instead of
-- a recursive walk per request. Maintained by the users service in the same
-- transaction as every change of the tree (users/org_tree.hpp).

CREATE TABLE department_closure (
  ancestor_id   INTEGER NOT NULL REFERENCES departments (id),
  descendant_id INTEGER NOT NULL REFERENCES departments (id),
  depth         INTEGER NOT NULL CHECK (depth >= 0),
  PRIMARY KEY (ancestor_id, descendant_id)
);

CREATE INDEX department_closure_descendant ON department_closure (descendant_id, depth);

INSERT INTO department_closure (ancestor_id, descendant_id, depth)
WITH RECURSIVE walk (ancestor_id, descendant_id, depth) AS (
  SELECT id, id, 0 FROM departments
  UNION ALL
  SELECT w.ancestor_id, d.id, w.depth + 1 FROM walk w JOIN departments d ON d.parent_id = w.descendant_id
)
SELECT ancestor_id, descendant_id, depth FROM walk;

-- Pages of a department's (or a subtree's) current employees in id order,
-- answered from the index alone.
DROP INDEX employees_department;
CREATE INDEX employees_department ON employees (department_id, id, dismissal_date);

CREATE INDEX audit_log_account ON audit_log (account_id, id);
CREATE INDEX delegations_manager ON delegations (manager_employee_id, starts_on);
