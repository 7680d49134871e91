#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.hpp"
#include "server/model/error.hpp"
#include "server/model/management_token.hpp"
#include "server/model/project.hpp"
#include "server/model/secret.hpp"
#include "server/model/tier.hpp"

namespace agentsudo::server {

// Everything that creating a project writes, stored in one transaction: the
// project, its first key and, when given, its first member.
struct NewProjectRecord {
  std::string name;
  Tier tier;
  IssuedSecret first_key;
  std::optional<std::int64_t> first_member_rowid;  // a user
  // When set, the project is created only if no setting of this name exists,
  // and the setting then holds the project's id: a project made once ever
  // (first start's "default"), even across a crash.
  std::optional<std::string> once_setting;
};

struct CreatedProject {
  Project project;
  ApiKeyRecord key;
};

// Projects, their API keys, and management tokens. Secrets arrive and are
// looked up as digests only. Implementations are thread-safe; every change is
// visible to the next call, including from another process on the same store.
class ProjectStore {
 public:
  virtual ~ProjectStore() = default;

  // kConflict when `once_setting` is set and already exists.
  virtual Result<CreatedProject> create_project(const NewProjectRecord& project) = 0;
  virtual Result<std::vector<Project>> list_projects() = 0;
  // kNotFound when there is no such project.
  virtual Result<Project> find_project(std::string_view project_id) = 0;
  // Applies every change at once and returns the project as it now is.
  // kNotFound when there is no such project.
  virtual Result<Project> update_project(std::string_view project_id,
                                         const ProjectChanges& changes) = 0;
  // Deletes the project with its keys, agents, events and usage. kNotFound
  // when there is no such project.
  virtual Status delete_project(std::string_view project_id) = 0;

  virtual Result<ApiKeyRecord> add_api_key(std::string_view project_id,
                                           const IssuedSecret& key) = 0;
  virtual Result<std::vector<ApiKeyRecord>> list_api_keys(std::string_view project_id) = 0;
  // Revokes at once and returns the revoked key. `project_id`, when given, is
  // the project the key must belong to (checked in the same statement);
  // kNotFound for an unknown or already revoked key, or one of another project.
  virtual Result<ApiKeyRecord> revoke_api_key(std::optional<std::string_view> project_id,
                                              std::string_view key_id) = 0;
  // Adds `replacement` to the key's project and revokes the key, atomically;
  // `project_id` and kNotFound as for revoke_api_key.
  virtual Result<ApiKeyRecord> rotate_api_key(std::optional<std::string_view> project_id,
                                              std::string_view key_id,
                                              const IssuedSecret& replacement) = 0;
  // kInvalidApiKey unless the digest belongs to an active key.
  virtual Result<KeyOwner> find_key_owner(const SecretDigest& digest) = 0;

  virtual Result<ManagementToken> add_management_token(const IssuedSecret& token,
                                                       const ManagementTokenSettings& settings) = 0;
  // Every token ever issued, oldest first, revoked and expired ones included.
  virtual Result<std::vector<ManagementToken>> list_management_tokens() = 0;
  // Returns the revoked token. kNotFound when there is no such token,
  // kConflict when it was already revoked.
  virtual Result<ManagementToken> revoke_management_token(std::string_view token_id) = 0;
  // Whether the digest belongs to a token neither revoked nor expired (by the
  // store's clock); an error only when the store could not answer (which is
  // not the caller's fault).
  virtual Result<bool> is_active_management_token(const SecretDigest& digest) = 0;

  // Events stored for the project on that UTC day (see utc_day()).
  virtual Result<std::int64_t> events_on_day(std::int64_t project_rowid, std::int64_t day) = 0;

  // A value the server keeps across restarts (the cursor signing key, flags).
  virtual Result<std::optional<std::string>> setting(std::string_view name) = 0;
  // Stores the value unless one exists; returns the value now stored.
  virtual Result<std::string> setting_or_insert(std::string_view name, std::string_view value) = 0;
};

}  // namespace agentsudo::server
