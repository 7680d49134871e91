#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "server/model/error.hpp"
#include "server/model/project.hpp"
#include "server/service/key_service.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

struct NewProject {
  Project project;
  IssuedApiKey key;
};

// Projects as people and operators change them. Each method that writes is
// one store transaction, so a crash never leaves a project without its first
// key or member, or half renamed and retiered. Thread-safe.
class ProjectService {
 public:
  // The setting that remembers first start's "default" project.
  static constexpr std::string_view kDefaultProjectSetting = "default_project";

  explicit ProjectService(ProjectStore& projects);

  Result<std::vector<Project>> list();
  // The project, its first key and, when given, its first member (a user's
  // rowid), together. kInvalidParameter naming "name" for a bad name.
  Result<NewProject> create(std::string_view name, const Tier& tier,
                            std::optional<std::int64_t> first_member_rowid = std::nullopt);
  // First start of an empty data directory: the free "default" project, made
  // once ever. Nothing when any project exists or one was made before.
  Result<std::optional<NewProject>> create_default();
  // Renames and retiers together; returns the project as it now is.
  // kInvalidParameter naming "name" for a bad name, kNotFound for no project.
  Result<Project> update(std::string_view project_id, const ProjectChanges& changes);
  // Deletes the project with everything in it, when `confirm` is its name as
  // the caller saw it (kInvalidPayload naming "confirm" otherwise).
  Status remove(const Project& project, std::string_view confirm);

 private:
  ProjectStore& projects_;
};

// Project names are shown in the dashboard and logs: 1-100 bytes, no
// control characters. kInvalidParameter naming "name" otherwise.
Status validate_project_name(std::string_view name);

}  // namespace agentsudo::server
