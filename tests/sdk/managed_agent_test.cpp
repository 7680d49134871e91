// Managed agents against a fake policy server on 127.0.0.1: fail-closed
// before the first policy, following changes over the long-poll, unknown
// agents, the cache file, the counters, and the metadata of every decision.
#include <gtest/gtest.h>

#include <agentsudo/agentsudo.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "event_capture.hpp"
#include "fake_policy_server.hpp"
#include "sdk/policy_cache_file.hpp"
#include "sdk/policy_registry.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::EventCapture;
using testing::FakePolicyServer;
using Clock = std::chrono::steady_clock;

// Waits for `condition` with a deadline: the subscription works on its own
// thread, and a test must neither sleep a fixed time nor hang.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 10s) {
  auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

PolicyOptions options_for(const std::string& endpoint) {
  PolicyOptions options;
  options.api_key = "as_test_key";
  options.endpoint = endpoint;
  options.retry_base_delay = 10ms;
  options.retry_max_delay = 50ms;
  options.request_timeout = 2000ms;
  options.long_poll_wait = 25s;
  return options;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("agentsudo-" + name + "-" + std::to_string(::getpid()));
}

// Each test starts as a fresh process would: no subscription, no policy.
class ManagedAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    shutdown_policy();
    PolicyRegistry::instance().reset_for_testing();
  }
  void TearDown() override {
    shutdown_policy();
    PolicyRegistry::instance().reset_for_testing();
  }
};

TEST_F(ManagedAgent, FailsClosedBeforeTheFirstPolicy) {
  EventCapture capture;
  Agent agent = Agent::managed("fc-bot");
  EXPECT_TRUE(agent.is_managed());
  EXPECT_FALSE(agent.policy_version().has_value());
  EXPECT_FALSE(agent.has_scope("read:orders"));
  auto session = agent.start_session();
  auto read = sudo("read:orders", [] { return 1; }, {.function_name = "read"});
  try {
    read();
    FAIL() << "the call ran without a policy";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kNoPolicy);
    EXPECT_NE(std::string(denied.what()).find("no policy has arrived from the server yet"),
              std::string::npos)
        << denied.what();
    EXPECT_EQ(denied.agent_name(), "fc-bot");
  }
  // Audit mode cannot run a call that no policy allows either.
  auto audited = sudo("read:orders", [] { return 1; }, {.on_denial = OnDenial::kLog});
  EXPECT_THROW(audited(), PermissionDenied);
  Decision decision = check("read:orders");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, DenialReason::kNoPolicy);

  auto events = capture.events();
  ASSERT_EQ(events.size(), 3U);
  for (const auto& event : events) {
    EXPECT_EQ(event.at("action"), "permission_denied");
    const auto& metadata = event.at("metadata").as_object();
    EXPECT_EQ(metadata.at("reason"), "no_policy");
    EXPECT_FALSE(metadata.contains("policy_version"));
    EXPECT_FALSE(metadata.contains("matched"));
  }
}

TEST_F(ManagedAgent, FollowsEveryChangeWithVersionAndMatchedInItsEvents) {
  FakePolicyServer server;
  server.set_policy(1, R"([{"name": "follow-bot", "scopes": ["read:*"], "role": "reader",
                            "session_ttl_seconds": 600}])");
  PolicyOptions options = options_for(server.url());
  options.startup_wait = 10s;
  configure_policy(options);
  Agent agent = Agent::managed("follow-bot");
  ASSERT_EQ(agent.policy_version(), 1);
  EXPECT_EQ(agent.role(), "reader");
  EXPECT_EQ(agent.session_ttl(), 600s);
  EXPECT_EQ(agent.scopes(), std::vector<std::string>{"read:*"});

  EventCapture capture;
  auto session = agent.start_session();
  EXPECT_TRUE(check("read:orders"));
  EXPECT_FALSE(check("write:orders"));

  server.set_policy(2, R"([{"name": "follow-bot", "scopes": ["write:orders"]}])");
  ASSERT_TRUE(eventually([&] { return agent.policy_version() == 2; }));
  EXPECT_FALSE(check("read:orders"));
  auto write = sudo("write:orders", [] { return 7; }, {.function_name = "write"});
  EXPECT_EQ(write(), 7);
  EXPECT_EQ(agent.role(), "worker");

  auto events = capture.events();
  ASSERT_EQ(events.size(), 4U);
  auto metadata = [&](std::size_t i) { return events[i].at("metadata").as_object(); };
  EXPECT_EQ(metadata(0).at("policy_version"), 1);
  EXPECT_EQ(metadata(0).at("matched"), "read:*");
  EXPECT_EQ(metadata(0).at("role"), "reader");
  EXPECT_EQ(metadata(1).at("policy_version"), 1);
  EXPECT_FALSE(metadata(1).contains("matched"));
  EXPECT_EQ(metadata(1).at("reason"), "scope_not_held");
  EXPECT_EQ(metadata(2).at("policy_version"), 2);
  EXPECT_FALSE(metadata(2).contains("matched"));
  EXPECT_EQ(metadata(3).at("policy_version"), 2);
  EXPECT_EQ(metadata(3).at("matched"), "write:orders");
  EXPECT_EQ(metadata(3).at("role"), "worker");
  EXPECT_EQ(events[3].at("function_name"), "write");

  PolicyStatus status = policy_status();
  EXPECT_EQ(status.version, 2);
  EXPECT_EQ(status.source, PolicySource::kServer);
  EXPECT_TRUE(status.subscribed);
  EXPECT_GE(status.updates, 2U);
}

TEST_F(ManagedAgent, AsksOnceThenLongPollsWithTheVersionItHas) {
  FakePolicyServer server;
  server.set_policy(3, R"([])");
  configure_policy(options_for(server.url()));
  ASSERT_TRUE(server.http().wait_for_requests(2, 10s));
  auto requests = server.http().requests();
  EXPECT_EQ(requests[0].target, "/v1/policy");
  EXPECT_EQ(requests[0].headers.at("x-api-key"), "as_test_key");
  EXPECT_EQ(requests[1].target, "/v1/policy?after=3&wait=25");
  EXPECT_EQ(requests[1].headers.at("if-none-match"), "\"3\"");
  EXPECT_EQ(requests[1].connection, requests[0].connection) << "one kept-alive connection";
}

TEST_F(ManagedAgent, AnAgentTheServerDoesNotKnowDeniesEverything) {
  FakePolicyServer server;
  server.set_policy(4, R"([{"name": "someone-else", "scopes": ["*"]}])");
  PolicyOptions options = options_for(server.url());
  options.startup_wait = 10s;
  configure_policy(options);
  Agent agent = Agent::managed("stranger-bot");
  EXPECT_EQ(agent.policy_version(), 4);
  EXPECT_FALSE(agent.has_scope("read:orders"));
  EXPECT_TRUE(agent.scopes().empty());
  EventCapture capture;
  auto session = agent.start_session();
  auto read =
      sudo("read:orders", [] {},
           {.on_denial = OnDenial::kCallback,
            .approve = [](const Agent&, std::string_view, const CallContext&) { return true; }});
  try {
    read();
    FAIL() << "an unknown agent's call ran";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kUnknownAgent);
    std::string message = denied.what();
    EXPECT_NE(message.find("the server does not know agent 'stranger-bot'"), std::string::npos)
        << message;
    EXPECT_NE(message.find("policy version 4"), std::string::npos) << message;
  }
  auto metadata = capture.single().at("metadata").as_object();
  EXPECT_EQ(metadata.at("reason"), "unknown_agent");
  EXPECT_EQ(metadata.at("policy_version"), 4);
}

TEST_F(ManagedAgent, DenialMessageNamesTheVersionAndTheScopesHeld) {
  FakePolicyServer server;
  server.set_policy(9, R"([{"name": "msg-bot", "scopes": ["read:orders"]}])");
  PolicyOptions options = options_for(server.url());
  options.startup_wait = 10s;
  configure_policy(options);
  auto session = Agent::managed("msg-bot").start_session();
  try {
    sudo("write:orders", [] {})();
    FAIL();
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kScopeNotHeld);
    EXPECT_EQ(denied.held_scopes(), std::vector<std::string>{"read:orders"});
    EXPECT_NE(std::string(denied.what()).find("policy version 9"), std::string::npos);
  }
}

TEST_F(ManagedAgent, KeepsItsPolicyWhenTheServerFails) {
  FakePolicyServer server;
  server.set_policy(1, R"([{"name": "steady-bot", "scopes": ["read:*"]}])");
  PolicyOptions options = options_for(server.url());
  options.startup_wait = 10s;
  configure_policy(options);
  Agent agent = Agent::managed("steady-bot");
  ASSERT_EQ(agent.policy_version(), 1);
  server.fail_with(500);
  server.set_policy(2, R"([])");  // Wakes the long-poll, which now fails.
  ASSERT_TRUE(eventually([] { return policy_status().fetch_failures >= 2; }));
  EXPECT_EQ(agent.policy_version(), 1);
  EXPECT_TRUE(agent.has_scope("read:orders"));
  EXPECT_NE(policy_status().last_error.find("500"), std::string::npos);
  server.fail_with(0);
  ASSERT_TRUE(eventually([&] { return agent.policy_version() == 2; }));
  EXPECT_FALSE(agent.has_scope("read:orders"));
}

TEST_F(ManagedAgent, StartupWaitReturnsOnceThePolicyIsEnforced) {
  FakePolicyServer server;
  server.set_policy(5, R"([{"name": "wait-bot", "scopes": ["a:b"]}])");
  Agent agent = Agent::managed("wait-bot");  // Before configure_policy(): allowed.
  PolicyOptions options = options_for(server.url());
  options.startup_wait = 10s;
  configure_policy(options);
  EXPECT_EQ(agent.policy_version(), 5);
  EXPECT_TRUE(agent.has_scope("a:b"));
}

TEST_F(ManagedAgent, StartupWaitGivesUpAtItsDeadline) {
  PolicyOptions options =
      options_for("http://127.0.0.1:" + std::to_string(testing::unused_loopback_port()));
  options.startup_wait = 300ms;
  auto start = Clock::now();
  configure_policy(options);
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 5s);
  EXPECT_FALSE(wait_for_policy(0ms));
  EXPECT_FALSE(Agent::managed("nobody-bot").has_scope("x"));
}

TEST_F(ManagedAgent, WritesTheCacheFileWhenThePolicyChanges) {
  std::filesystem::path cache = temp_path("cache-write");
  std::filesystem::remove(cache);
  FakePolicyServer server;
  server.set_policy(1, R"([{"name": "cache-bot", "scopes": ["read:*"]}])");
  PolicyOptions options = options_for(server.url());
  options.cache_path = cache.string();
  options.startup_wait = 10s;
  configure_policy(options);
  PolicyCacheFile file(cache);
  ASSERT_TRUE(eventually([&] { return file.load(nullptr).has_value(); }));
  EXPECT_EQ(file.load(nullptr)->document.version, 1);
  server.set_policy(2, R"([{"name": "cache-bot", "scopes": ["write:*"]}])");
  ASSERT_TRUE(eventually([&] {
    auto cached = file.load(nullptr);
    return cached && cached->document.version == 2;
  }));
  EXPECT_EQ(file.load(nullptr)->document.agents.at(0).scopes, std::vector<std::string>{"write:*"});
  shutdown_policy();
  std::filesystem::remove(cache);
}

TEST_F(ManagedAgent, StartsFromTheCacheFileWhileTheServerIsDown) {
  std::filesystem::path cache = temp_path("cache-start");
  auto saved_at = std::chrono::system_clock::now() - 90s;
  ASSERT_TRUE(PolicyCacheFile(cache).save(
      R"({"version": 7, "agents": [{"name": "offline-bot", "scopes": ["read:orders"]}]})",
      std::chrono::duration_cast<std::chrono::microseconds>(saved_at.time_since_epoch()).count(),
      nullptr));
  PolicyOptions options =
      options_for("http://127.0.0.1:" + std::to_string(testing::unused_loopback_port()));
  options.cache_path = cache.string();
  configure_policy(options);  // No wait: the cache is enforced before this returns.
  Agent agent = Agent::managed("offline-bot");
  EXPECT_EQ(agent.policy_version(), 7);
  EXPECT_TRUE(agent.has_scope("read:orders"));
  EXPECT_FALSE(agent.has_scope("write:orders"));
  PolicyStatus status = policy_status();
  EXPECT_EQ(status.source, PolicySource::kCache);
  EXPECT_EQ(status.version, 7);
  EXPECT_GE(status.age, 90s);
  EXPECT_LT(status.age, 200s);
  ASSERT_TRUE(eventually([] { return policy_status().fetch_failures >= 1; }));
  EXPECT_EQ(agent.policy_version(), 7);
  std::filesystem::remove(cache);
}

TEST_F(ManagedAgent, ACorruptCacheFileIsIgnoredAndCounted) {
  std::filesystem::path cache = temp_path("cache-corrupt");
  ASSERT_TRUE(PolicyCacheFile(cache).save(
      R"({"version": 3, "agents": [{"name": "corrupt-bot", "scopes": ["*"]}]})", 0, nullptr));
  // Flip one byte of the body: still JSON, but not what was written.
  std::string content;
  {
    std::ifstream in(cache, std::ios::binary);
    content.assign(std::istreambuf_iterator<char>(in), {});
  }
  content[content.find("\"*\"") + 1] = '?';
  {
    std::ofstream out(cache, std::ios::binary | std::ios::trunc);
    out << content;
  }
  PolicyOptions options =
      options_for("http://127.0.0.1:" + std::to_string(testing::unused_loopback_port()));
  options.cache_path = cache.string();
  configure_policy(options);
  PolicyStatus status = policy_status();
  EXPECT_EQ(status.cache_rejected, 1U);
  EXPECT_EQ(status.source, PolicySource::kNone);
  // Why it was refused (last_error may already name a failed fetch).
  std::string error;
  EXPECT_FALSE(PolicyCacheFile(cache).load(&error));
  EXPECT_NE(error.find("checksum"), std::string::npos) << error;
  EXPECT_FALSE(Agent::managed("corrupt-bot").has_scope("anything"));
  std::filesystem::remove(cache);
}

TEST_F(ManagedAgent, LocalAgentsEventsCarryNoPolicyFields) {
  EventCapture capture;
  auto session = Agent("local-bot", {"read:*"}).start_session();
  EXPECT_TRUE(check("read:orders"));
  auto metadata = capture.single().at("metadata").as_object();
  EXPECT_EQ(metadata.at("role"), "worker");
  EXPECT_FALSE(metadata.contains("policy_version"));
  EXPECT_FALSE(metadata.contains("matched"));
}

// Updates applied as fast as the registry takes them while four threads
// check: at version v only "scope:v" is held, so a decision that used the
// scopes of one version and recorded another would show here.
TEST_F(ManagedAgent, NoDecisionSeesATornPolicy) {
  PolicyRegistry& registry = PolicyRegistry::instance();
  auto policy_at = [](std::int64_t version) {
    PolicyDocument document;
    document.version = version;
    document.agents.push_back({.name = "torn-bot",
                               .scopes = {"scope:" + std::to_string(version)},
                               .role = "worker",
                               .session_ttl = 3600s});
    return document;
  };
  registry.apply(policy_at(1), PolicySource::kServer, 0);
  EventCapture capture;
  Agent agent = Agent::managed("torn-bot");
  std::atomic<std::int64_t> published{1};
  std::atomic<bool> stop{false};
  std::atomic<int> granted{0};
  std::atomic<int> decisions{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      auto session = agent.start_session();
      while (!stop.load()) {
        // Ask for the scope of the version published now or just before.
        std::int64_t v = published.load();
        if (check("scope:" + std::to_string(v)).allowed)
          ++granted;
        check("scope:" + std::to_string(v - 1));
        decisions += 2;
      }
    });
  }
  // At least 2,000 updates, and until the readers have decided 20,000 times
  // across them (a hang guard bounds it).
  auto deadline = Clock::now() + 20s;
  for (std::int64_t v = 2; v <= 2000 || (decisions.load() < 20000 && Clock::now() < deadline);
       ++v) {
    registry.apply(policy_at(v), PolicySource::kServer, 0);
    published.store(v);
  }
  stop.store(true);
  for (auto& reader : readers)
    reader.join();
  auto events = capture.events();
  ASSERT_GT(events.size(), 100U);
  EXPECT_GT(granted.load(), 0);
  for (const auto& event : events) {
    const auto& metadata = event.at("metadata").as_object();
    std::int64_t version = metadata.at("policy_version").as_int64();
    std::string held = "scope:" + std::to_string(version);
    bool allowed = event.at("allowed").as_bool();
    ASSERT_EQ(allowed, event.at("scope").as_string() == held) << boost::json::serialize(event);
    if (allowed) {
      ASSERT_EQ(metadata.at("matched").as_string(), held);
    }
  }
}

}  // namespace
}  // namespace agentsudo
