#include "sdk/policy_cache_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace agentsudo {
namespace {

constexpr std::string_view kMagic = "agentsudo-policy-cache v1 ";
// A policy larger than this is not ours: refuse rather than read it all.
constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;

std::uint64_t fnv1a64(std::string_view bytes) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// Closes a descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }
  // Closes now, reporting close's own error (which can carry a write error).
  bool close() noexcept {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::string> read_all(const std::filesystem::path& path, std::string* error) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    *error = errno_text("cannot open " + path.string());
    return std::nullopt;
  }
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *error = errno_text("cannot read " + path.string());
      return std::nullopt;
    }
    if (n == 0)
      return content;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > kMaxFileBytes) {
      *error = path.string() + " is larger than 16 MiB";
      return std::nullopt;
    }
  }
}

template <class Number>
bool read_field(std::string_view& header, Number& out, int base = 10) {
  std::size_t end = header.find(' ');
  std::string_view field = header.substr(0, end);
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), out, base);
  if (ec != std::errc() || ptr != field.data() + field.size() || field.empty())
    return false;
  header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
  return true;
}

}  // namespace

std::optional<CachedPolicy> PolicyCacheFile::load(std::string* error) const {
  std::string ignored;
  if (error == nullptr)
    error = &ignored;
  std::optional<std::string> content = read_all(path_, error);
  if (!content)
    return std::nullopt;
  std::string_view text = *content;
  std::size_t newline = text.find('\n');
  if (!text.starts_with(kMagic) || newline == std::string_view::npos) {
    *error = path_.string() + " is not a policy cache file";
    return std::nullopt;
  }
  std::string_view header = text.substr(kMagic.size(), newline - kMagic.size());
  std::string_view body = text.substr(newline + 1);
  CachedPolicy cached;
  std::size_t length = 0;
  std::uint64_t checksum = 0;
  if (!read_field(header, cached.saved_at_us) || !read_field(header, length) ||
      !read_field(header, checksum, 16) || !header.empty()) {
    *error = path_.string() + " has a malformed header";
    return std::nullopt;
  }
  if (body.size() != length) {
    *error = path_.string() + " is torn: " + std::to_string(body.size()) + " of " +
             std::to_string(length) + " bytes";
    return std::nullopt;
  }
  if (fnv1a64(body) != checksum) {
    *error = path_.string() + " fails its checksum";
    return std::nullopt;
  }
  std::string parse_error;
  std::optional<PolicyDocument> document = parse_policy_document(body, &parse_error);
  if (!document) {
    *error = path_.string() + " holds no valid policy: " + parse_error;
    return std::nullopt;
  }
  cached.document = std::move(*document);
  cached.body = std::string(body);
  return cached;
}

bool PolicyCacheFile::save(std::string_view body, std::int64_t saved_at_us,
                           std::string* error) const {
  std::string ignored;
  if (error == nullptr)
    error = &ignored;
  char checksum[17];
  std::snprintf(checksum, sizeof checksum, "%016llx",
                static_cast<unsigned long long>(fnv1a64(body)));
  std::string content = std::string(kMagic) + std::to_string(saved_at_us) + " " +
                        std::to_string(body.size()) + " " + checksum + "\n";
  content.append(body);

  std::filesystem::path temporary = path_;
  temporary += ".tmp-" + std::to_string(::getpid());
  FileDescriptor fd(
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR));
  if (fd.get() < 0) {
    *error = errno_text("cannot create " + temporary.string());
    return false;
  }
  bool written = write_all(fd.get(), content) && ::fsync(fd.get()) == 0;
  if (!written) {
    *error = errno_text("cannot write " + temporary.string());
  } else if (!fd.close()) {
    written = false;
    *error = errno_text("cannot close " + temporary.string());
  } else if (::rename(temporary.c_str(), path_.c_str()) != 0) {
    written = false;
    *error = errno_text("cannot rename over " + path_.string());
  }
  if (!written) {
    ::unlink(temporary.c_str());
    return false;
  }
  // The rename is durable only once the directory entry is.
  std::filesystem::path directory = path_.parent_path().empty() ? "." : path_.parent_path();
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0)
    ::fsync(dir.get());
  return true;
}

}  // namespace agentsudo
