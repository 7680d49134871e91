#include "server/service/project_service.hpp"

#include "core/text.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server {
namespace {

constexpr std::size_t kMaxProjectName = 100;

}  // namespace

Status validate_project_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxProjectName) {
    return make_error(ErrorKind::kInvalidParameter,
                      "project name must be 1 to " + std::to_string(kMaxProjectName) + " bytes",
                      "name");
  }
  if (contains_control_characters(name)) {
    return make_error(ErrorKind::kInvalidParameter,
                      "project name must not contain control characters", "name");
  }
  return {};
}

ProjectService::ProjectService(ProjectStore& projects) : projects_(projects) {}

Result<std::vector<Project>> ProjectService::list() {
  return projects_.list_projects();
}

Result<NewProject> ProjectService::create(std::string_view name, const Tier& tier,
                                          std::optional<std::int64_t> first_member_rowid) {
  RETURN_IF_ERROR(validate_project_name(name));
  IssuedSecret key = issue_secret(kApiKeyPrefix);
  ASSIGN_OR_RETURN(auto created, projects_.create_project(NewProjectRecord{
                                     std::string(name), tier, key, first_member_rowid, {}}));
  return NewProject{std::move(created.project),
                    IssuedApiKey{std::move(created.key), std::move(key.plaintext)}};
}

Result<std::optional<NewProject>> ProjectService::create_default() {
  ASSIGN_OR_RETURN(auto existing, projects_.list_projects());
  if (!existing.empty())
    return std::optional<NewProject>();
  IssuedSecret key = issue_secret(kApiKeyPrefix);
  auto created = projects_.create_project(NewProjectRecord{
      "default", Tier{"free", kFreeDailyQuota}, key, {}, std::string(kDefaultProjectSetting)});
  if (!created && created.error().kind == ErrorKind::kConflict)
    return std::optional<NewProject>();
  if (!created)
    return created.take_error();
  return std::optional(NewProject{std::move(created->project),
                                  IssuedApiKey{std::move(created->key), std::move(key.plaintext)}});
}

namespace {

// kInvalidParameter naming "retention_days" outside 1..36500 days.
Status validate_retention_days(std::optional<std::int64_t> days) {
  if (days && (*days < kMinRetentionDays || *days > kMaxRetentionDays)) {
    return make_error(ErrorKind::kInvalidParameter,
                      "retention_days must be a whole number of days from " +
                          std::to_string(kMinRetentionDays) + " to " +
                          std::to_string(kMaxRetentionDays) + ", or null to keep everything",
                      "retention_days");
  }
  return {};
}

}  // namespace

Result<Project> ProjectService::update(std::string_view project_id, const ProjectChanges& changes) {
  if (changes.name)
    RETURN_IF_ERROR(validate_project_name(*changes.name));
  if (changes.retention_days)
    RETURN_IF_ERROR(validate_retention_days(*changes.retention_days));
  return projects_.update_project(project_id, changes);
}

Status ProjectService::remove(const Project& project, std::string_view confirm) {
  if (confirm != project.name) {
    return make_error(ErrorKind::kInvalidPayload, "confirm must be the project's name, exactly",
                      "confirm");
  }
  return projects_.delete_project(project.id);
}

}  // namespace agentsudo::server
