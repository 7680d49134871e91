#pragma once

#include <memory>

#include "server/metrics/metrics.hpp"
#include "server/store/credentials_generation.hpp"
#include "server/store/key_owner_cache.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

// A ProjectStore whose find_key_owner answers from memory for keys it found
// before, so that a request authenticated by API key costs no store read;
// everything else goes to `inner` unchanged. Only found keys are cached: an
// unknown key asks the store every time (a key created a moment ago, by
// another process too, works on its first request, and unknown keys cannot
// fill memory).
//
// Revocation: the inner store advances `generation` right after committing
// any change that alters a found key's owner, whichever process commits it
// (this one through the management API, or the CLI). Every lookup reads the
// generation first and uses the cache only if its entries were read under
// that same generation. So once a revocation's command has returned, its
// bump is visible and the very next request asks the store; only requests
// already running when it committed may still see the old answer, as they
// could without a cache. A store read that overlaps a bump is not cached.
// Thread-safe.
class CachedProjectStore final : public ProjectStore {
 public:
  // Counts lookups answered from memory (`hits`) and from the store (`misses`).
  struct Counters {
    Counter& hits;
    Counter& misses;
  };

  CachedProjectStore(ProjectStore& inner, std::shared_ptr<const CredentialsGeneration> generation,
                     Counters counters, std::size_t capacity = KeyOwnerCache::kDefaultCapacity);

  Result<KeyOwner> find_key_owner(const SecretDigest& digest) override;

  Result<CreatedProject> create_project(const NewProjectRecord& project) override;
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
  Result<ManagementToken> add_management_token(const IssuedSecret& token,
                                               const ManagementTokenSettings& settings) override;
  Result<std::vector<ManagementToken>> list_management_tokens() override;
  Result<ManagementToken> revoke_management_token(std::string_view token_id) override;
  Result<bool> is_active_management_token(const SecretDigest& digest) override;
  Result<std::int64_t> events_on_day(std::int64_t project_rowid, std::int64_t day) override;
  Result<std::optional<std::string>> setting(std::string_view name) override;
  Result<std::string> setting_or_insert(std::string_view name, std::string_view value) override;

 private:
  ProjectStore& inner_;
  std::shared_ptr<const CredentialsGeneration> generation_;
  Counters counters_;
  KeyOwnerCache cache_;
};

}  // namespace agentsudo::server
