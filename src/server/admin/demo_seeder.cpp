#include "server/admin/demo_seeder.hpp"

#include <array>
#include <string_view>
#include <vector>

#include "core/uuid.hpp"

namespace agentsudo::server {
namespace {

// Events per append() call (one transaction, one fsync).
constexpr std::size_t kEventsPerCommit = 50'000;

// splitmix64: fast, deterministic, good enough to make demo data look random.
class DemoRandom {
 public:
  explicit DemoRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  // Index into a list where earlier entries are more likely (a rough Zipf).
  std::size_t skewed(std::size_t n) {
    double u = unit();
    return std::min(n - 1, static_cast<std::size_t>(static_cast<double>(n) * u * u));
  }

 private:
  std::uint64_t state_;
};

struct DemoAgent {
  std::string_view name;
  std::string_view role;
  std::vector<std::string_view> granted;  // scopes it holds and uses
  std::vector<std::string_view> refused;  // scopes it asks for and is denied
  double denial_rate;
  double weight;  // share of all events
};

const std::vector<DemoAgent>& demo_agents() {
  static const std::vector<DemoAgent> agents = {
      {"SupportBot",
       "worker",
       {"read:orders", "read:customers", "write:tickets", "read:tickets"},
       {"write:refunds", "delete:customers"},
       0.06,
       0.22},
      {"BillingAgent",
       "worker",
       {"read:invoices", "write:invoices", "read:orders", "write:refunds"},
       {"delete:invoices", "admin:billing"},
       0.08,
       0.14},
      {"DataAnalyst",
       "analyst",
       {"read:orders", "read:customers", "read:metrics", "read:events"},
       {"write:orders", "export:customers"},
       0.12,
       0.12},
      {"DeployBot",
       "operator",
       {"read:deployments", "write:deployments", "read:logs"},
       {"delete:deployments", "admin:cluster"},
       0.15,
       0.08},
      {"EmailAssistant",
       "worker",
       {"send:email", "read:contacts", "read:templates"},
       {"send:bulk_email", "delete:contacts"},
       0.09,
       0.1},
      {"ResearchAgent",
       "worker",
       {"read:web", "read:documents", "write:notes"},
       {"write:documents", "send:email"},
       0.1,
       0.08},
      {"SchedulerBot",
       "worker",
       {"read:calendar", "write:calendar", "read:contacts"},
       {"delete:calendar"},
       0.05,
       0.07},
      {"SecurityAuditor",
       "auditor",
       {"read:logs", "read:audit", "read:users"},
       {"write:users", "admin:keys"},
       0.2,
       0.05},
      {"InventoryAgent",
       "worker",
       {"read:inventory", "write:inventory", "read:orders"},
       {"delete:inventory", "write:prices"},
       0.11,
       0.06},
      {"HRAssistant",
       "worker",
       {"read:employees", "read:policies"},
       {"read:salaries", "write:employees"},
       0.25,
       0.04},
      {"MarketingBot",
       "worker",
       {"read:campaigns", "write:campaigns", "send:email"},
       {"export:customers", "send:bulk_email"},
       0.14,
       0.03},
      {"DBMaintenance",
       "operator",
       {"read:tables", "write:tables", "vacuum:tables"},
       {"drop:tables", "admin:database"},
       0.3,
       0.01},
  };
  return agents;
}

std::size_t pick_agent(DemoRandom& random) {
  double u = random.unit();
  const auto& agents = demo_agents();
  for (std::size_t i = 0; i < agents.size(); ++i) {
    u -= agents[i].weight;
    if (u < 0)
      return i;
  }
  return 0;
}

// "read:orders" -> "read_orders": the guarded function's name.
std::string function_for(std::string_view scope) {
  std::string name(scope);
  for (char& c : name) {
    if (c == ':')
      c = '_';
  }
  return name;
}

std::string session_id(DemoRandom& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  std::uint64_t bits = random.next();
  for (char& c : id) {
    c = kHex[bits & 15];
    bits >>= 4;
  }
  return id;
}

// One running session per agent; a new one starts when it has made its calls.
struct AgentSession {
  std::string id;
  std::int64_t calls_left = 0;
};

class DemoEventSource {
 public:
  explicit DemoEventSource(const DemoSeedOptions& options)
      : random_(options.random_seed), sessions_(demo_agents().size()) {}

  Event make(UnixMicros timestamp, std::int64_t sequence) {
    std::size_t which = pick_agent(random_);
    const DemoAgent& agent = demo_agents()[which];
    AgentSession& session = sessions_[which];
    if (session.calls_left <= 0) {
      session.id = session_id(random_);
      session.calls_left = 50 + static_cast<std::int64_t>(random_.below(400));
    }
    --session.calls_left;

    Event event;
    event.agent_name = std::string(agent.name);
    event.allowed = random_.unit() >= agent.denial_rate;
    std::string_view scope = event.allowed ? agent.granted[random_.skewed(agent.granted.size())]
                                           : agent.refused[random_.below(agent.refused.size())];
    event.scope = std::string(scope);
    event.function_name = function_for(scope);
    event.action = action_for(event.allowed);
    event.timestamp = timestamp;
    event.session_id = session.id;
    event.metadata_json = "{\"session_id\":\"" + session.id + "\",\"role\":\"" +
                          std::string(agent.role) + "\",\"request\":" + std::to_string(sequence) +
                          "}";
    return event;
  }

 private:
  std::string action_for(bool allowed) {
    double u = random_.unit();
    if (allowed)
      return u < 0.97 ? "permission_check" : "callback_approved";
    if (u < 0.7)
      return "permission_denied";
    return u < 0.9 ? "audit_violation" : "callback_denied";
  }

  DemoRandom random_;
  std::vector<AgentSession> sessions_;
};

}  // namespace

Status seed_demo_events(EventStore& store, const DemoSeedOptions& options,
                        const SeedProgress& progress) {
  if (options.events <= 0 || options.days <= 0)
    return make_error(ErrorKind::kInvalidParameter, "events and days must be positive");
  DemoEventSource source(options);
  UnixMicros span = static_cast<UnixMicros>(options.days) * kMicrosPerDay;
  UnixMicros start = options.end - span;
  double gap = static_cast<double>(span) / static_cast<double>(options.events);
  // The n-th event's time: evenly spread, jittered within its slot, the same
  // however often it is asked for.
  auto timestamp_of = [&](std::int64_t n) {
    DemoRandom jitter(options.random_seed ^ static_cast<std::uint64_t>(n));
    return start + static_cast<UnixMicros>((static_cast<double>(n) + jitter.unit()) * gap);
  };

  std::vector<EventBatch> batches;
  std::int64_t stored = 0;
  std::int64_t made = 0;
  while (made < options.events) {
    batches.clear();
    std::size_t in_commit = 0;
    // A batch never spans two UTC days, so each day's usage counts its own.
    while (in_commit < kEventsPerCommit && made < options.events) {
      EventBatch& batch = batches.emplace_back();
      batch.project_rowid = options.project_rowid;
      std::int64_t day = -1;
      while (in_commit < kEventsPerCommit && made < options.events) {
        UnixMicros timestamp = timestamp_of(made);
        if (day >= 0 && utc_day(timestamp) != day)
          break;
        day = utc_day(timestamp);
        batch.events.push_back(source.make(timestamp, made));
        batch.event_ids.push_back(make_uuid_v7(timestamp / 1000));
        batch.received_at = timestamp;
        ++made;
        ++in_commit;
      }
    }
    std::vector<EventBatch*> pointers;
    for (auto& batch : batches)
      pointers.push_back(&batch);
    std::vector<CommittedBatch> committed(batches.size());
    if (auto status = store.append(pointers, committed); !status)
      return status;
    stored = made;
    if (progress)
      progress(stored);
  }
  return {};
}

}  // namespace agentsudo::server
