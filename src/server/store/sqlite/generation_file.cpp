#include "server/store/sqlite/generation_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace agentsudo::server::sqlite {
namespace {

// Processes share the counter through memory alone, which needs a lock-free
// 8-byte atomic (a lock would live in one process only).
static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free);

Error cannot(std::string_view what, const std::filesystem::path& file) {
  return make_error(ErrorKind::kInternal, "cannot " + std::string(what) + " " + file.string() +
                                              ": " + std::strerror(errno));
}

}  // namespace

Result<std::shared_ptr<GenerationFile>> GenerationFile::open(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return cannot("open", file);
  struct stat status {};
  // Grown, never shrunk: two processes creating it at once both leave 8 zero
  // bytes, and one that finds it already grown keeps the count.
  bool sized =
      ::fstat(fd, &status) == 0 && (status.st_size >= static_cast<off_t>(sizeof(std::uint64_t)) ||
                                    ::ftruncate(fd, sizeof(std::uint64_t)) == 0);
  if (!sized) {
    auto error = cannot("size", file);
    ::close(fd);
    return error;
  }
  void* mapped = ::mmap(nullptr, sizeof(std::uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);  // the mapping keeps the file
  if (mapped == MAP_FAILED)
    return cannot("map", file);
  return std::shared_ptr<GenerationFile>(new GenerationFile(static_cast<std::uint64_t*>(mapped)));
}

GenerationFile::GenerationFile(std::uint64_t* counter) : counter_(counter) {}

GenerationFile::~GenerationFile() {
  ::munmap(counter_, sizeof(std::uint64_t));
}

std::uint64_t GenerationFile::current() const {
  return std::atomic_ref<std::uint64_t>(*counter_).load(std::memory_order_acquire);
}

void GenerationFile::advance() {
  // seq_cst: also orders the commit's writes (and its fsync) before the bump.
  std::atomic_ref<std::uint64_t>(*counter_).fetch_add(1, std::memory_order_seq_cst);
}

}  // namespace agentsudo::server::sqlite
