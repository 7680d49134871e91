#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <string>

#include "server/model/error.hpp"

namespace agentsudo::server {

// Runs Argon2id on a small pool of its own threads, so a login's tens of
// milliseconds never stall the I/O threads, and at most `threads` hashes
// (64 MiB each) run at once. Thread-safe.
class PasswordHasher {
 public:
  explicit PasswordHasher(std::size_t threads);
  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  boost::asio::awaitable<Result<std::string>> hash(std::string password);
  boost::asio::awaitable<bool> verify(std::string hash, std::string password);
  // Spends the time a verify would, for an unknown email, so that timing does
  // not tell which emails have accounts.
  boost::asio::awaitable<bool> verify_nothing(std::string password);

 private:
  boost::asio::thread_pool pool_;
  std::string decoy_hash_;  // a hash of a random password, for verify_nothing
};

}  // namespace agentsudo::server
