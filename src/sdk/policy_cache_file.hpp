#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "sdk/policy_document.hpp"

namespace agentsudo {

// A policy as kept in the cache file: the server's body, parsed, and when
// the file was written.
struct CachedPolicy {
  PolicyDocument document;
  std::string body;
  // Microseconds since the Unix epoch.
  std::int64_t saved_at_us = 0;
};

// The managed agents' last known policy on disk, so that a process restarted
// while the server is down still enforces it. The file is one header line
// (format, write time, body length, FNV-1a checksum of the body) followed by
// the server's body exactly as received, so a torn or altered file is
// recognised and ignored rather than enforced.
//
// Not thread-safe: the policy thread owns the one instance.
class PolicyCacheFile {
 public:
  explicit PolicyCacheFile(std::filesystem::path path) : path_(std::move(path)) {}

  // The cached policy, or nullopt with the reason in `error` (missing file,
  // wrong format, torn, checksum mismatch, a body that is not a policy).
  std::optional<CachedPolicy> load(std::string* error) const;

  // Replaces the file atomically: a temporary file beside it is written,
  // fsynced and renamed over it, and the directory fsynced, so a crash
  // leaves the old file or the new one, never a mix. Returns false, with the
  // reason in `error`, if any step failed (the old file then stays).
  bool save(std::string_view body, std::int64_t saved_at_us, std::string* error) const;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace agentsudo
