#pragma once

#include <memory>

#include "server/store/credentials_generation.hpp"
#include "server/store/postgres/connection_pool.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::postgres {

// ProjectStore on PostgreSQL, shared by every node: each call borrows a
// pooled connection, and whatever SQLite's single writer serialized is
// serialized here by row locks and conditional inserts. `credentials` is
// advanced as SqliteProjectStore does (the shared generation ignores it: a
// key lookup always reads the database). Thread-safe.
class PgProjectStore final : public ProjectStore {
 public:
  PgProjectStore(std::shared_ptr<ConnectionPool> pool,
                 std::shared_ptr<CredentialsGeneration> credentials);

  Result<CreatedProject> create_project(const NewProjectRecord& record) override;
  Result<std::vector<Project>> list_projects() override;
  Result<Project> find_project(std::string_view project_id) override;
  Result<Project> update_project(std::string_view project_id,
                                 const ProjectChanges& changes) override;
  Status delete_project(std::string_view project_id) override;

  Result<ApiKeyRecord> add_api_key(std::string_view project_id, const IssuedSecret& key) override;
  Result<std::vector<ApiKeyRecord>> list_api_keys(std::string_view project_id) override;
  Result<ApiKeyRecord> revoke_api_key(std::optional<std::string_view> project_id,
                                      std::string_view key_id) override;
  Result<ApiKeyRecord> rotate_api_key(std::optional<std::string_view> project_id,
                                      std::string_view key_id,
                                      const IssuedSecret& replacement) override;
  Result<KeyOwner> find_key_owner(const SecretDigest& digest) override;

  Result<ManagementToken> add_management_token(const IssuedSecret& token,
                                               const ManagementTokenSettings& settings) override;
  Result<std::vector<ManagementToken>> list_management_tokens() override;
  Result<ManagementToken> revoke_management_token(std::string_view token_id) override;
  Result<bool> is_active_management_token(const SecretDigest& digest) override;

  Result<std::int64_t> events_on_day(std::int64_t project_rowid, std::int64_t day) override;

  Result<std::optional<std::string>> setting(std::string_view name) override;
  Result<std::string> setting_or_insert(std::string_view name, std::string_view value) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
  std::shared_ptr<CredentialsGeneration> credentials_;
};

}  // namespace agentsudo::server::postgres
