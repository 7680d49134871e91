#include "server/store/cached_project_store.hpp"

namespace agentsudo::server {

CachedProjectStore::CachedProjectStore(ProjectStore& inner,
                                       std::shared_ptr<const CredentialsGeneration> generation,
                                       Counters counters, std::size_t capacity)
    : inner_(inner), generation_(std::move(generation)), counters_(counters), cache_(capacity) {}

Result<KeyOwner> CachedProjectStore::find_key_owner(const SecretDigest& digest) {
  // Read before the store: an entry read under this number is at least as
  // new as every change whose bump this number includes.
  std::uint64_t generation = generation_->current();
  if (auto cached = cache_.find(digest, generation)) {
    counters_.hits.add();
    return std::move(*cached);
  }
  counters_.misses.add();
  auto owner = inner_.find_key_owner(digest);
  // A bump during the read may belong to a change the read did not see.
  if (owner.ok() && generation_->current() == generation)
    cache_.insert(digest, *owner, generation);
  return owner;
}

Result<CreatedProject> CachedProjectStore::create_project(const NewProjectRecord& project) {
  return inner_.create_project(project);
}

Result<std::vector<Project>> CachedProjectStore::list_projects() {
  return inner_.list_projects();
}

Result<Project> CachedProjectStore::find_project(std::string_view project_id) {
  return inner_.find_project(project_id);
}

Result<Project> CachedProjectStore::update_project(std::string_view project_id,
                                                   const ProjectChanges& changes) {
  return inner_.update_project(project_id, changes);
}

Status CachedProjectStore::delete_project(std::string_view project_id) {
  return inner_.delete_project(project_id);
}

Result<ApiKeyRecord> CachedProjectStore::add_api_key(std::string_view project_id,
                                                     const IssuedSecret& key) {
  return inner_.add_api_key(project_id, key);
}

Result<std::vector<ApiKeyRecord>> CachedProjectStore::list_api_keys(std::string_view project_id) {
  return inner_.list_api_keys(project_id);
}

Result<ApiKeyRecord> CachedProjectStore::revoke_api_key(std::optional<std::string_view> project_id,
                                                        std::string_view key_id) {
  return inner_.revoke_api_key(project_id, key_id);
}

Result<ApiKeyRecord> CachedProjectStore::rotate_api_key(std::optional<std::string_view> project_id,
                                                        std::string_view key_id,
                                                        const IssuedSecret& replacement) {
  return inner_.rotate_api_key(project_id, key_id, replacement);
}

Result<ManagementToken> CachedProjectStore::add_management_token(
    const IssuedSecret& token, const ManagementTokenSettings& settings) {
  return inner_.add_management_token(token, settings);
}

Result<std::vector<ManagementToken>> CachedProjectStore::list_management_tokens() {
  return inner_.list_management_tokens();
}

// Tokens are not cached (see AccessControl), so a revocation needs no
// generation step here.
Result<ManagementToken> CachedProjectStore::revoke_management_token(std::string_view token_id) {
  return inner_.revoke_management_token(token_id);
}

Result<bool> CachedProjectStore::is_active_management_token(const SecretDigest& digest) {
  return inner_.is_active_management_token(digest);
}

Result<std::int64_t> CachedProjectStore::events_on_day(std::int64_t project_rowid,
                                                       std::int64_t day) {
  return inner_.events_on_day(project_rowid, day);
}

Result<std::optional<std::string>> CachedProjectStore::setting(std::string_view name) {
  return inner_.setting(name);
}

Result<std::string> CachedProjectStore::setting_or_insert(std::string_view name,
                                                          std::string_view value) {
  return inner_.setting_or_insert(name, value);
}

}  // namespace agentsudo::server
