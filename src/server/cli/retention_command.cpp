#include "server/cli/retention_command.hpp"

#include <boost/json.hpp>
#include <iostream>

#include "core/timestamp.hpp"
#include "server/cli/exit_status.hpp"
#include "server/cli/store_location.hpp"
#include "server/model/clock.hpp"

namespace agentsudo::server::cli {
namespace json = boost::json;

int run_retention(const RetentionRunOptions& options) {
  auto store = open_store(StoreLocation{options.data_dir, options.database_url}, 1);
  if (!store)
    return fail(store.error().message);
  auto pass = store->retention->sweep(SystemClock().now());
  if (!pass)
    return fail(pass.error().message);
  if (options.json) {
    json::array projects;
    for (const auto& project : pass->projects) {
      projects.push_back(
          json::object{{"project_id", project.project_id},
                       {"kept_since", format_rfc3339(project.cutoff_day * kMicrosPerDay)},
                       {"events_removed", project.events_removed},
                       {"chain_positions_removed", project.chain_positions_removed}});
    }
    std::cout << json::serialize(json::object{{"skipped", pass->skipped},
                                              {"events_removed", pass->events_removed},
                                              {"partitions_dropped", pass->partitions_dropped},
                                              {"projects", std::move(projects)}})
              << "\n";
    return kOk;
  }
  if (pass->skipped) {
    std::cout << "Another node is running retention; nothing done\n";
    return kOk;
  }
  for (const auto& project : pass->projects) {
    std::cout << "project " << project.project_id << ": removed " << project.events_removed
              << " events before " << format_rfc3339(project.cutoff_day * kMicrosPerDay) << "\n";
  }
  std::cout << pass->events_removed << " events removed, " << pass->partitions_dropped
            << " partitions dropped\n";
  return kOk;
}

}  // namespace agentsudo::server::cli
