#pragma once
// A fresh, empty database per test, on the backend the run selects:
// TABEL_TEST_BACKEND=sqlite (the default) or postgresql. The PostgreSQL run
// needs TABEL_TEST_POSTGRES_URL, a server URL whose user may CREATE DATABASE
// (scripts/test starts such a server and sets it); without it the
// constructor throws, so the test fails: it never silently skips.
//   SQLite      a file in a fresh temporary folder, removed on destruction.
//   PostgreSQL  CREATE DATABASE tabel_t_<pid>_<counter>_<random>, dropped
//               WITH (FORCE) on destruction.
// Thread-safety: one TestDatabase per test; the Databases it makes follow
// db::Database's contract. Destroy those before the TestDatabase.

#include <cstddef>
#include <memory>
#include <string>

#include "infra/db/database.hpp"

namespace tabel::testing {

// "sqlite" or "postgresql" (from TABEL_TEST_BACKEND; throws on any other value).
std::string TestBackend();

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // A URL for db::DatabaseOptions::url.
  const std::string& url() const { return url_; }
  db::Dialect dialect() const { return dialect_; }

  // Options for this database with a small pool and default timeouts.
  db::DatabaseOptions Options(size_t pool_size = 4) const;

  std::unique_ptr<db::Database> MakeDatabase(size_t pool_size = 4) const;
  // MakeDatabase() with every embedded migration applied.
  std::unique_ptr<db::Database> MakeMigrated(size_t pool_size = 4) const;

  // Kills every server connection to this database from a separate admin
  // connection (pg_terminate_backend), simulating a server restart; returns
  // how many were terminated. SQLite has no server: returns 0.
  int TerminateConnections() const;

 private:
  db::Dialect dialect_;
  std::string url_;
  std::string temp_dir_;       // SQLite
  std::string admin_url_;      // PostgreSQL: TABEL_TEST_POSTGRES_URL
  std::string database_name_;  // PostgreSQL
};

}  // namespace tabel::testing
