#include "server/cli/seed_demo_command.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <chrono>
#include <iostream>

#include "server/admin/demo_seeder.hpp"
#include "server/cli/exit_status.hpp"
#include "server/cli/store_location.hpp"
#include "server/model/clock.hpp"
#include "server/service/project_service.hpp"

namespace agentsudo::server::cli {
namespace json = boost::json;

namespace {

constexpr std::int64_t kMaxEvents = 1'000'000'000;

// A quota that the seeded days fit in, so the demo project keeps ingesting.
Tier demo_tier(const SeedDemoOptions& options) {
  std::int64_t per_day = options.events / options.days;
  if (per_day * 2 <= kProDailyQuota)
    return Tier{"pro", kProDailyQuota};
  return Tier{"custom", per_day * 2};
}

struct DemoProject {
  Project project;
  std::string api_key;  // set when the project was created now
};

Result<DemoProject> find_or_create(ProjectStore& projects, const SeedDemoOptions& options) {
  ASSIGN_OR_RETURN(auto existing, projects.list_projects());
  for (auto& project : existing) {
    if (project.name == options.project)
      return DemoProject{std::move(project), {}};
  }
  ASSIGN_OR_RETURN(auto created,
                   ProjectService(projects).create(options.project, demo_tier(options)));
  return DemoProject{std::move(created.project), std::move(created.key.plaintext)};
}

}  // namespace

int seed_demo(const SeedDemoOptions& options) {
  if (options.events < 1 || options.events > kMaxEvents)
    return fail("--events must be from 1 to " + std::to_string(kMaxEvents));
  if (options.days < 1 || options.days > 3650)
    return fail("--days must be from 1 to 3650");
  if (sodium_init() < 0)
    return fail("libsodium failed to start");
  auto store = open_store(StoreLocation{options.data_dir, options.database_url}, 1);
  if (!store)
    return fail(store.error().message);
  auto demo = find_or_create(*store->projects, options);
  if (!demo)
    return fail(demo.error().message);

  auto started = std::chrono::steady_clock::now();
  DemoSeedOptions seed;
  seed.project_rowid = demo->project.rowid;
  seed.events = options.events;
  seed.days = options.days;
  seed.end = SystemClock().now();
  seed.random_seed = static_cast<std::uint64_t>(seed.end);
  std::int64_t next_report = 1'000'000;
  auto status = seed_demo_events(*store->events, seed, [&](std::int64_t stored) {
    if (stored >= next_report || stored == options.events) {
      std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
      std::cerr << "seed-demo: " << stored << " events in " << elapsed.count() << " s\n";
      next_report += 1'000'000;
    }
  });
  if (!status)
    return fail(status.error().message);
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;

  if (options.json) {
    json::object out{
        {"project_id", demo->project.id}, {"events", options.events}, {"seconds", elapsed.count()}};
    if (!demo->api_key.empty())
      out["api_key"] = demo->api_key;
    std::cout << json::serialize(out) << "\n";
    return kOk;
  }
  std::cout << "Seeded " << options.events << " events over " << options.days
            << " days into project \"" << demo->project.name << "\" (" << demo->project.id
            << ") in " << elapsed.count() << " s\n";
  if (!demo->api_key.empty())
    std::cout << "API key (shown once, store it now): " << demo->api_key << "\n";
  return kOk;
}

}  // namespace agentsudo::server::cli
