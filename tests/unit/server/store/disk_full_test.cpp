// A write that runs out of space: reported as kStorageFull, rolled back whole,
// and the connection usable again once there is room.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {
namespace {

class DiskFullTest : public testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() /
            ("agentsudo-unit-" + std::to_string(::getpid()) + "-disk-full.db");
    remove_files();
    db_ = Database::open(file_);
    db_->exec("CREATE TABLE rows (body TEXT NOT NULL)");
  }
  void TearDown() override {
    db_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(file_.string() + suffix);
  }

  // Caps the file at its current size: the next page it needs fails with
  // SQLITE_FULL, as on a full disk.
  void cap_at_current_size() {
    auto count = db_->prepare_cached("PRAGMA page_count");
    count->step();
    db_->exec("PRAGMA max_page_count=" + std::to_string(count->column_int64(0)));
  }

  std::int64_t rows() {
    auto count = db_->prepare_cached("SELECT count(*) FROM rows");
    count->step();
    return count->column_int64(0);
  }

  // Inserts `n` rows of 4 KiB in one transaction.
  Status insert_rows(int n) {
    return translate_errors("insert", [&]() -> Status {
      Transaction tx(*db_);
      auto insert = db_->prepare_cached("INSERT INTO rows (body) VALUES (?)");
      for (int i = 0; i < n; ++i) {
        insert->bind(1, std::string(4096, 'x'));
        insert->run();
        insert->reset();
      }
      tx.commit();
      return {};
    });
  }

  std::filesystem::path file_;
  std::unique_ptr<Database> db_;
};

TEST_F(DiskFullTest, OutOfSpaceIsStorageFullWithRetryAfterAndRollsBackWhole) {
  ASSERT_TRUE(insert_rows(1).ok());
  cap_at_current_size();
  Status failed = insert_rows(20);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::kStorageFull) << failed.error().message;
  EXPECT_EQ(failed.error().retry_after_seconds, kStorageFullRetrySeconds);
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(rows(), 1);

  // Room again: the same connection writes.
  db_->exec("PRAGMA max_page_count=1073741823");
  ASSERT_TRUE(insert_rows(20).ok());
  EXPECT_EQ(rows(), 21);
}

TEST_F(DiskFullTest, OnlySpaceErrorsCountAsFull) {
  EXPECT_TRUE(SqliteError(SQLITE_FULL, "full").disk_full());
  EXPECT_TRUE(SqliteError(SQLITE_IOERR_WRITE, "write", ENOSPC).disk_full());
  EXPECT_TRUE(SqliteError(SQLITE_IOERR_SHMSIZE, "shm", ENOSPC).disk_full());
  EXPECT_TRUE(SqliteError(SQLITE_IOERR_FSYNC, "fsync", EDQUOT).disk_full());
  EXPECT_FALSE(SqliteError(SQLITE_IOERR_WRITE, "write", EIO).disk_full());
  EXPECT_FALSE(SqliteError(SQLITE_CONSTRAINT, "constraint").disk_full());
  EXPECT_EQ(error_from(SqliteError(SQLITE_IOERR_WRITE, "write", EIO), "store").kind,
            ErrorKind::kInternal);
}

}  // namespace
}  // namespace agentsudo::server::sqlite
