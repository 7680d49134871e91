#include "server/store/sqlite/online_backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>
#include <thread>

#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {
namespace {

namespace fs = std::filesystem;

// BUSY or LOCKED answers to a step in a row before the copy gives up: the
// source snapshot is ours, so only something else locking the new file could.
constexpr int kMaxBusySteps = 1000;

struct CloseDestination {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Destination = std::unique_ptr<sqlite3, CloseDestination>;

Error copy_failed(const std::string& what) {
  return make_error(ErrorKind::kInternal, "backup failed: " + what);
}

Error os_failed(const std::string& doing, const fs::path& path, int error_number) {
  Error error = copy_failed(doing + " " + path.string() + ": " + std::strerror(error_number));
  if (error_number == ENOSPC || error_number == EDQUOT)
    error.kind = ErrorKind::kStorageFull;
  return error;
}

Result<Destination> open_destination(const fs::path& file) {
  sqlite3* raw = nullptr;
  int code =
      sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Destination db(raw);
  if (code != SQLITE_OK) {
    return copy_failed("cannot create " + file.string() + ": " +
                       (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(code)));
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

// Copies every page of `source`'s open snapshot into `destination`, a few
// at a time with a pause between steps. Returns the page count.
Result<std::int64_t> copy_pages(Database& source, sqlite3* destination,
                                const BackupOptions& options) {
  sqlite3_backup* backup = sqlite3_backup_init(destination, "main", source.handle(), "main");
  if (backup == nullptr)
    return copy_failed(sqlite3_errmsg(destination));
  int code = SQLITE_OK;
  int busy_steps = 0;
  while (busy_steps < kMaxBusySteps) {
    code = sqlite3_backup_step(backup, options.pages_per_step);
    if (code != SQLITE_OK && code != SQLITE_BUSY && code != SQLITE_LOCKED)
      break;
    busy_steps = code == SQLITE_OK ? 0 : busy_steps + 1;
    std::this_thread::sleep_for(options.pause);
  }
  std::int64_t pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (code != SQLITE_DONE) {
    throw SqliteError(code, std::string("copy: ") + sqlite3_errmsg(destination),
                      sqlite3_system_errno(destination));
  }
  return pages;
}

Status sync_file(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    return os_failed("cannot open", path, errno);
  int synced = ::fsync(fd);
  int error_number = errno;
  ::close(fd);
  if (synced != 0)
    return os_failed("cannot sync", path, error_number);
  return {};
}

// Moves the finished copy into place; without `overwrite`, atomically only
// if nothing is there (RENAME_NOREPLACE), so a file created meanwhile is kept.
Status move_into_place(const fs::path& temporary, const fs::path& to, bool overwrite) {
  int flags = overwrite ? 0 : RENAME_NOREPLACE;
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, to.c_str(), flags) != 0) {
    int error_number = errno;
    if (error_number == EEXIST)
      return make_error(ErrorKind::kConflict, to.string() + " exists; pass --force to replace it");
    return os_failed("cannot rename to", to, error_number);
  }
  fs::path directory = to.parent_path().empty() ? fs::path(".") : to.parent_path();
  return sync_file(directory, O_RDONLY | O_DIRECTORY);
}

void remove_leftovers(const fs::path& temporary) {
  std::error_code ignored;
  fs::remove(temporary, ignored);
  fs::remove(fs::path(temporary.string() + "-journal"), ignored);
}

Result<BackupSummary> copy_snapshot(const fs::path& from, const fs::path& temporary,
                                    const BackupOptions& options) {
  auto source = Database::open(from);
  // One read transaction for the whole copy: every step reads the same
  // snapshot, and the event count is that snapshot's.
  source->exec("BEGIN");
  BackupSummary summary;
  {
    Statement count(source->handle(), "SELECT count(*) FROM events");
    count.step();
    summary.events = count.column_int64(0);
  }
  ASSIGN_OR_RETURN(auto destination, open_destination(temporary));
  ASSIGN_OR_RETURN(summary.pages, copy_pages(*source, destination.get(), options));
  source->exec("COMMIT");
  int page_size = 0;
  {
    Statement size(destination.get(), "PRAGMA page_size");
    size.step();
    page_size = static_cast<int>(size.column_int64(0));
  }
  summary.bytes = summary.pages * page_size;
  if (sqlite3_close(destination.release()) != SQLITE_OK)
    return copy_failed("cannot close " + temporary.string());
  return summary;
}

}  // namespace

Result<BackupSummary> back_up_database(const fs::path& from, const fs::path& to,
                                       const BackupOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(from, ec))
    return make_error(ErrorKind::kNotFound, "no database at " + from.string());
  if (!options.overwrite && fs::exists(to, ec))
    return make_error(ErrorKind::kConflict, to.string() + " exists; pass --force to replace it");
  fs::path temporary = to.string() + ".tmp";
  remove_leftovers(temporary);
  auto summary =
      translate_errors("backup", [&] { return copy_snapshot(from, temporary, options); });
  Status placed = summary ? sync_file(temporary, O_RDONLY) : Status(summary.error());
  if (placed)
    placed = move_into_place(temporary, to, options.overwrite);
  if (!placed) {
    remove_leftovers(temporary);
    return placed.error();
  }
  return summary;
}

}  // namespace agentsudo::server::sqlite
