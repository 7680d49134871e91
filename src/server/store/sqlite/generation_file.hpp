#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "server/model/error.hpp"
#include "server/store/credentials_generation.hpp"

namespace agentsudo::server::sqlite {

// A CredentialsGeneration shared by every process that opens the same data
// directory: an 8-byte counter in a small file, `credentials.generation`,
// mapped MAP_SHARED, so that every process's mapping is the same page of
// memory. Advancing it is one atomic add on that page; reading it is one
// acquire load, a few nanoseconds, cheap enough for every request. The
// counter only grows (2^64 changes will not happen). The file must not be
// deleted while a server runs on the directory: a process that opened a new
// file would advance a counter the server does not read. Thread-safe.
class GenerationFile final : public CredentialsGeneration {
 public:
  // Opens the file, creating it (with the counter at 0) if needed.
  static Result<std::shared_ptr<GenerationFile>> open(const std::filesystem::path& file);

  ~GenerationFile() override;
  GenerationFile(const GenerationFile&) = delete;
  GenerationFile& operator=(const GenerationFile&) = delete;

  std::uint64_t current() const override;
  void advance() override;

 private:
  explicit GenerationFile(std::uint64_t* counter);

  std::uint64_t* counter_;  // in the shared mapping; accessed only atomically
};

}  // namespace agentsudo::server::sqlite
