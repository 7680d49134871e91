#pragma once

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "server/store/sqlite/sqlite_store.hpp"

namespace agentsudo::server {

// A SQLite store in a fresh directory named after the running test, removed
// again at the end.
class TempStore {
 public:
  TempStore() {
    if (sodium_init() < 0)
      ADD_FAILURE() << "libsodium failed to start";
    dir_ = std::filesystem::temp_directory_path() /
           ("agentsudo-unit-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = sqlite::open_sqlite_store(dir_, 2);
    if (!opened.ok()) {
      ADD_FAILURE() << opened.error().message;
      return;
    }
    store_ = std::move(*opened);
  }
  ~TempStore() {
    store_ = {};
    std::filesystem::remove_all(dir_);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  sqlite::SqliteStore& operator*() { return store_; }
  sqlite::SqliteStore* operator->() { return &store_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  sqlite::SqliteStore store_;
};

}  // namespace agentsudo::server
