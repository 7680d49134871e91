#pragma once

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "server/store/postgres/connection.hpp"
#include "server/store/postgres/postgres_store.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace agentsudo::server {

// A store in a fresh place named after the running test, removed again at
// the end: a SQLite data directory, or, when AGENTSUDO_TEST_POSTGRES_URL
// names a test cluster (ctest's `postgres` fixture), a new database in it.
// The same store tests thus run against both implementations.
class TempStore {
 public:
  TempStore() {
    if (sodium_init() < 0)
      ADD_FAILURE() << "libsodium failed to start";
    std::string name = "agentsudo-unit-" + std::to_string(::getpid()) + "-" +
                       testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir_);
    const char* cluster = std::getenv("AGENTSUDO_TEST_POSTGRES_URL");
    auto opened = cluster ? open_postgres(cluster, name) : sqlite::open_sqlite_store(dir_, 2);
    if (!opened.ok()) {
      ADD_FAILURE() << opened.error().message;
      return;
    }
    store_ = std::move(*opened);
  }
  ~TempStore() {
    store_ = {};
    std::filesystem::remove_all(dir_);
    if (!database_.empty())
      run_on_cluster("DROP DATABASE IF EXISTS \"" + database_ + "\" WITH (FORCE)");
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  StoreSet& operator*() { return store_; }
  StoreSet* operator->() { return &store_; }
  const std::filesystem::path& dir() const { return dir_; }
  bool is_postgres() const { return !database_.empty(); }
  // The URL of this test's database; empty on SQLite.
  const std::string& database_url() const { return url_; }
  // A second server node on the same store: another StoreSet on the same
  // database or data directory, with connections (and a writer) of its own.
  Result<StoreSet> open_another_node() const {
    return is_postgres() ? postgres::open_postgres_store(url_, dir_, 2)
                         : sqlite::open_sqlite_store(dir_, 2);
  }

 private:
  Result<StoreSet> open_postgres(const std::string& cluster, std::string name) {
    cluster_ = cluster;
    std::replace_if(
        name.begin(), name.end(),
        [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    database_ = name.substr(0, 60);
    run_on_cluster("DROP DATABASE IF EXISTS \"" + database_ + "\" WITH (FORCE)");
    run_on_cluster("CREATE DATABASE \"" + database_ + "\"");
    url_ = cluster;
    auto at = url_.find("///postgres?");
    if (at != std::string::npos)
      url_.replace(at, 12, "///" + database_ + "?");
    return postgres::open_postgres_store(url_, dir_, 2);
  }

  void run_on_cluster(const std::string& sql) {
    try {
      postgres::Connection::open(cluster_)->exec_script(sql);
    } catch (const postgres::PgError& e) {
      ADD_FAILURE() << sql << ": " << e.what();
    }
  }

  std::filesystem::path dir_;
  std::string cluster_;
  std::string database_;
  std::string url_;
  StoreSet store_;
};

}  // namespace agentsudo::server
