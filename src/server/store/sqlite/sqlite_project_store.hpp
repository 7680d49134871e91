#pragma once

#include <memory>
#include <mutex>

#include "server/store/credentials_generation.hpp"
#include "server/store/project_store.hpp"
#include "server/store/sqlite/connection_pool.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// ProjectStore on SQLite. Writes go through one connection under a mutex;
// lookups borrow from the shared read pool. After each change that can alter
// what find_key_owner answers for a key (revoke, rotate, a tier change,
// deleting a project) it advances `credentials` (see CredentialsGeneration),
// in whichever process made the change, also when the change failed (a
// needless advance costs one store read per cached key; a missing one would
// keep a revoked key working). Thread-safe.
class SqliteProjectStore final : public ProjectStore {
 public:
  SqliteProjectStore(std::unique_ptr<Database> writer, std::shared_ptr<ConnectionPool> readers,
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
  // Inserts a key row for the project; the caller holds a transaction.
  ApiKeyRecord insert_api_key(Database& db, std::int64_t project_rowid, std::string_view project_id,
                              const IssuedSecret& key);

  std::mutex write_mutex_;
  std::unique_ptr<Database> writer_;  // guarded by write_mutex_
  std::shared_ptr<ConnectionPool> readers_;
  std::shared_ptr<CredentialsGeneration> credentials_;
};

}  // namespace agentsudo::server::sqlite
