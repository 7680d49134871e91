#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/model/error.hpp"
#include "server/model/project.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

// A key as its owner sees it once: the record and the plaintext.
struct IssuedApiKey {
  ApiKeyRecord record;
  std::string plaintext;
};

// A project's ingest keys (management tokens: TokenService). Every path that
// mints a key goes through here, so keys are generated one way and only their
// digests reach the store. Each method is one store transaction.
// Thread-safe.
class KeyService {
 public:
  explicit KeyService(ProjectStore& projects);

  // kNotFound when there is no such project.
  Result<std::vector<ApiKeyRecord>> list(std::string_view project_id);
  // kNotFound when there is no such project.
  Result<IssuedApiKey> create(std::string_view project_id);
  // Revokes the key and issues its replacement together. kNotFound unless the
  // key is active and belongs to the project.
  Result<IssuedApiKey> rotate(std::string_view project_id, std::string_view key_id);
  // Returns the revoked key. kNotFound unless the key is active and belongs
  // to the project.
  Result<ApiKeyRecord> revoke(std::string_view project_id, std::string_view key_id);

  // The same for an operator on the command line, who may act on any
  // project's key.
  Result<IssuedApiKey> rotate_in_any_project(std::string_view key_id);
  Result<ApiKeyRecord> revoke_in_any_project(std::string_view key_id);

 private:
  Result<IssuedApiKey> rotate_scoped(std::optional<std::string_view> project_id,
                                     std::string_view key_id);

  ProjectStore& projects_;
};

}  // namespace agentsudo::server
