#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "server/model/clock.hpp"
#include "server/model/error.hpp"
#include "server/model/management_token.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

// A token as its creator sees it once: the record and the secret.
struct IssuedManagementToken {
  ManagementToken record;
  std::string plaintext;
};

// The operators' management tokens, for the CLI and for admins over the API:
// issued (only the digest reaches the store), listed, revoked. A revoked or
// expired token is refused by the store's next lookup, so there is nothing
// to invalidate here. Each method is one store transaction. Thread-safe.
class TokenService {
 public:
  static constexpr std::size_t kMaxNameBytes = 100;

  TokenService(ProjectStore& projects, const Clock& clock);

  // kInvalidParameter (field "name" or "expires_at") for an empty, longer
  // than kMaxNameBytes or control-character name, or an expiry not in the
  // future.
  Result<IssuedManagementToken> create(const ManagementTokenSettings& settings);
  // Oldest first, revoked and expired ones included.
  Result<std::vector<ManagementToken>> list();
  // Returns the revoked token. kNotFound for an unknown id, kConflict for a
  // token already revoked.
  Result<ManagementToken> revoke(std::string_view token_id);

 private:
  Status validate(const ManagementTokenSettings& settings) const;

  ProjectStore& projects_;
  const Clock& clock_;
};

}  // namespace agentsudo::server
