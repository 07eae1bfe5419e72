#include "test_database.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "infra/db/migrations.hpp"

namespace tabel::testing {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::unique_ptr<soci::session> OpenAdmin(const std::string& admin_url) {
  const db::DatabaseTarget target = db::ParseDatabaseUrl(admin_url);
  if (target.dialect != db::Dialect::kPostgresql) {
    throw std::runtime_error("TABEL_TEST_POSTGRES_URL must be a postgresql:// URL");
  }
  return std::make_unique<soci::session>(soci::postgresql, target.connect_string);
}

// The libpq URI `uri` with its database (the path) replaced by `name`.
std::string WithDatabase(const std::string& uri, const std::string& name) {
  const size_t authority = uri.find("://") + 3;
  const size_t query = uri.find('?', authority);
  const size_t path = std::min(uri.find('/', authority), query);
  std::string result = uri.substr(0, path) + "/" + name;
  if (query != std::string::npos) result += uri.substr(query);
  return result;
}

std::string UniqueDatabaseName() {
  static std::atomic<int> counter{0};
  std::random_device random;
  char name[64];
  std::snprintf(name, sizeof name, "tabel_t_%d_%d_%06x", static_cast<int>(::getpid()), ++counter,
                static_cast<unsigned>(random()) & 0xffffffu);
  return name;
}

}  // namespace

std::string TestBackend() {
  const std::string backend = Env("TABEL_TEST_BACKEND");
  if (backend.empty() || backend == "sqlite") return "sqlite";
  if (backend == "postgresql") return backend;
  throw std::runtime_error("TABEL_TEST_BACKEND must be sqlite or postgresql, not '" + backend + "'");
}

TestDatabase::TestDatabase() {
  if (TestBackend() == "sqlite") {
    dialect_ = db::Dialect::kSqlite;
    std::string folder = (std::filesystem::temp_directory_path() / "tabel_t_XXXXXX").string();
    if (::mkdtemp(folder.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + folder);
    temp_dir_ = folder;
    url_ = "sqlite://" + temp_dir_ + "/test.db";  // temp_dir_ is absolute: sqlite:///tmp/…
    return;
  }
  dialect_ = db::Dialect::kPostgresql;
  admin_url_ = Env("TABEL_TEST_POSTGRES_URL");
  if (admin_url_.empty()) {
    throw std::runtime_error(
        "TABEL_TEST_BACKEND=postgresql but TABEL_TEST_POSTGRES_URL is not set. Run the tests with "
        "scripts/test, which starts a PostgreSQL server and sets it.");
  }
  database_name_ = UniqueDatabaseName();
  *OpenAdmin(admin_url_) << "CREATE DATABASE " + database_name_;
  url_ = WithDatabase(admin_url_, database_name_);
}

TestDatabase::~TestDatabase() {
  if (dialect_ == db::Dialect::kSqlite) {
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
    return;
  }
  try {
    *OpenAdmin(admin_url_) << "DROP DATABASE IF EXISTS " + database_name_ + " WITH (FORCE)";
  } catch (const std::exception& error) {
    std::fprintf(stderr, "warning: cannot drop test database %s: %s\n", database_name_.c_str(), error.what());
  }
}

db::DatabaseOptions TestDatabase::Options(size_t pool_size) const {
  db::DatabaseOptions options;
  options.url = url_;
  options.pool_size = pool_size;
  return options;
}

std::unique_ptr<db::Database> TestDatabase::MakeDatabase(size_t pool_size) const {
  return std::make_unique<db::Database>(Options(pool_size));
}

std::unique_ptr<db::Database> TestDatabase::MakeMigrated(size_t pool_size) const {
  auto database = MakeDatabase(pool_size);
  db::Migrator(*database).Apply();
  return database;
}

int TestDatabase::TerminateConnections() const {
  if (dialect_ == db::Dialect::kSqlite) return 0;
  int terminated = 0;
  // MATERIALIZED: the filter runs before any pg_terminate_backend call, so
  // connections to other databases on a shared server are never touched.
  // The 5 s argument makes each call wait until the backend has exited.
  *OpenAdmin(admin_url_) << "WITH targets AS MATERIALIZED (SELECT pid FROM pg_stat_activity "
                            "WHERE datname = :name AND pid <> pg_backend_pid()) "
                            "SELECT COUNT(*) FROM targets WHERE pg_terminate_backend(pid, 5000)",
      soci::into(terminated), soci::use(database_name_);
  return terminated;
}

}  // namespace tabel::testing
