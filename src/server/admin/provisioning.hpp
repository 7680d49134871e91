#pragma once

#include <string>
#include <string_view>

#include "server/model/error.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

// A key as its owner sees it once: the record and the plaintext.
struct IssuedApiKey {
  ApiKeyRecord record;
  std::string plaintext;
};

struct NewProject {
  Project project;
  IssuedApiKey key;
};

// Provisioning shared by the CLI, first start, and (later) the management
// API: every path that mints a secret goes through here, so secrets are
// generated one way and only their digests reach the store.
Result<NewProject> create_project_with_key(ProjectStore& store, std::string_view name,
                                           const Tier& tier);
Result<IssuedApiKey> issue_api_key(ProjectStore& store, std::string_view project_id);
Result<IssuedApiKey> rotate_api_key(ProjectStore& store, std::string_view key_id);
// Returns the plaintext token.
Result<std::string> issue_management_token(ProjectStore& store);

// Project names are shown in the dashboard and logs: 1-100 bytes, no
// control characters.
Status validate_project_name(std::string_view name);

}  // namespace agentsudo::server
