// Managed agents against the real agentsudo-server: an edit made through the
// management API reaches agents that eight threads keep calling, with no
// decision taken under a torn policy; the cache file carries the policy over
// a restart while the server is down; nothing is allowed before the first
// policy.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <agentsudo/agentsudo.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "local_server_process.hpp"
#include "sdk/policy_cache_file.hpp"
#include "sdk/policy_document.hpp"
#include "sdk/policy_registry.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::LocalServerProcess;
using Clock = std::chrono::steady_clock;

std::string server_binary() {
  const char* override_path = std::getenv("AGENTSUDO_SERVER_BIN");
  return override_path != nullptr ? override_path : AGENTSUDO_SERVER_BIN;
}

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 10s) {
  auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Creates an agent through the management API, as the dashboard does, and
// returns its id.
std::string create_agent(const LocalServerProcess& server, const std::string& name,
                         const std::string& scopes_json) {
  auto result = testing::http_send(
      "POST", server.endpoint() + "/api/v1/projects/" + server.project_id() + "/agents",
      server.management_token(), R"({"name": ")" + name + R"(", "scopes": )" + scopes_json + "}");
  if (result.status != 201)
    throw std::runtime_error("creating agent: " + std::to_string(result.status) + " " +
                             result.body);
  return std::string(boost::json::parse(result.body).at("id").as_string());
}

void set_scopes(const LocalServerProcess& server, const std::string& agent_id,
                const std::string& scopes_json) {
  auto result = testing::http_send(
      "PATCH",
      server.endpoint() + "/api/v1/projects/" + server.project_id() + "/agents/" + agent_id,
      server.management_token(), R"({"scopes": )" + scopes_json + "}");
  if (result.status != 200)
    throw std::runtime_error("editing agent: " + std::to_string(result.status) + " " + result.body);
}

// A plain GET /v1/policy with the project key; the body of its 200.
std::string fetch_policy(const LocalServerProcess& server) {
  CURL* curl = curl_easy_init();
  std::string body;
  std::string key = "X-API-Key: " + server.api_key();
  curl_slist* headers = curl_slist_append(nullptr, key.c_str());
  std::string url = server.endpoint() + "/v1/policy";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, std::size_t size, std::size_t count, void* out) {
        static_cast<std::string*>(out)->append(data, size * count);
        return size * count;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK || status != 200)
    throw std::runtime_error("GET /v1/policy -> " + std::to_string(status));
  return body;
}

// The server's gauge of long-polls it holds open now.
int policy_waiters(const LocalServerProcess& server) {
  std::string metrics =
      testing::http_get(server.endpoint() + "/metrics", server.management_token());
  constexpr std::string_view kGauge = "\nagentsudo_policy_waiters ";
  std::size_t at = metrics.find(kGauge);
  return at == std::string::npos ? -1 : std::stoi(metrics.substr(at + kGauge.size()));
}

PolicyOptions options_for(const LocalServerProcess& server) {
  PolicyOptions options;
  options.api_key = server.api_key();
  options.endpoint = server.endpoint();
  options.retry_base_delay = 10ms;
  options.retry_max_delay = 100ms;
  options.startup_wait = 10s;
  return options;
}

// One decision as the JSON log reported it.
struct Decided {
  std::int64_t version;
  std::string scope;
  bool allowed;
  std::string matched;
};

class ManagedServerIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    shutdown_policy();
    PolicyRegistry::instance().reset_for_testing();
  }
  void TearDown() override {
    disable_json_log();
    shutdown_policy();
    PolicyRegistry::instance().reset_for_testing();
  }
};

TEST_F(ManagedServerIntegration, EightThreadsPickUpAnEditAndNoDecisionSeesATornPolicy) {
  LocalServerProcess server(server_binary());
  std::string agent_id = create_agent(server, "it-managed", R"(["read:*"])");
  configure_policy(options_for(server));
  Agent agent = Agent::managed("it-managed");
  ASSERT_TRUE(agent.policy_version().has_value()) << policy_status().last_error;
  const std::int64_t before = *agent.policy_version();
  ASSERT_TRUE(agent.has_scope("read:orders"));

  std::mutex mutex;
  std::vector<Decided> decided;
  enable_json_log([&](std::string_view line) {
    boost::json::object event = boost::json::parse(line).as_object();
    const auto& metadata = event.at("metadata").as_object();
    Decided d{metadata.at("policy_version").as_int64(), std::string(event.at("scope").as_string()),
              event.at("allowed").as_bool(),
              metadata.contains("matched") ? std::string(metadata.at("matched").as_string()) : ""};
    std::lock_guard lock(mutex);
    decided.push_back(std::move(d));
  });
  std::atomic<bool> stop{false};
  std::atomic<int> after_edit{0};
  std::atomic<std::int64_t> edited_version{-1};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&] {
      auto session = agent.start_session();
      while (!stop.load()) {
        check("read:orders");
        check("write:orders");
        if (edited_version.load() >= 0 && agent.policy_version() == edited_version.load())
          ++after_edit;
        // Paces the callers so the log stays small; not a synchronization.
        std::this_thread::sleep_for(200us);
      }
    });
  }
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return decided.size() >= 200;
  }));
  set_scopes(server, agent_id, R"(["write:orders"])");
  ASSERT_TRUE(eventually([&] { return agent.policy_version() > before; }))
      << policy_status().last_error;
  edited_version = *agent.policy_version();
  // Every caller goes on for a while under the new policy.
  ASSERT_TRUE(eventually([&] { return after_edit.load() >= 8 * 20; }));
  stop = true;
  for (auto& caller : callers)
    caller.join();
  disable_json_log();

  int old_seen = 0;
  int new_seen = 0;
  for (const Decided& d : decided) {
    bool is_old = d.version == before;
    ASSERT_TRUE(is_old || d.version == edited_version.load()) << d.version;
    (is_old ? old_seen : new_seen)++;
    bool expected = is_old ? d.scope == "read:orders" : d.scope == "write:orders";
    ASSERT_EQ(d.allowed, expected) << "version " << d.version << " scope " << d.scope;
    ASSERT_EQ(d.matched, !expected ? "" : is_old ? "read:*" : "write:orders");
  }
  EXPECT_GT(old_seen, 0);
  EXPECT_GT(new_seen, 0);
}

TEST_F(ManagedServerIntegration, TheCacheFileIsEnforcedWhenTheServerIsDown) {
  std::filesystem::path cache =
      std::filesystem::temp_directory_path() / ("agentsudo-it-cache-" + std::to_string(::getpid()));
  std::filesystem::remove(cache);
  std::int64_t version = 0;
  std::string endpoint;
  {
    LocalServerProcess server(server_binary());
    create_agent(server, "it-cached", R"(["read:orders"])");
    PolicyOptions options = options_for(server);
    options.cache_path = cache.string();
    configure_policy(options);
    ASSERT_TRUE(Agent::managed("it-cached").has_scope("read:orders"));
    version = *Agent::managed("it-cached").policy_version();
    ASSERT_TRUE(eventually([&] {
      auto cached = PolicyCacheFile(cache).load(nullptr);
      return cached && cached->document.version == version;
    }));
    shutdown_policy();
    endpoint = server.endpoint();
  }  // The server stops here.
  // As a restarted process: no policy in memory, the server unreachable.
  PolicyRegistry::instance().reset_for_testing();
  PolicyOptions options;
  options.api_key = "as_unused";
  options.endpoint = endpoint;
  options.cache_path = cache.string();
  options.retry_base_delay = 10ms;
  options.retry_max_delay = 100ms;
  configure_policy(options);
  Agent agent = Agent::managed("it-cached");
  EXPECT_EQ(agent.policy_version(), version);
  EXPECT_TRUE(agent.has_scope("read:orders"));
  EXPECT_FALSE(agent.has_scope("write:orders"));
  EXPECT_EQ(policy_status().source, PolicySource::kCache);
  ASSERT_TRUE(eventually([] { return policy_status().fetch_failures > 0; }));
  EXPECT_TRUE(agent.has_scope("read:orders"));
  std::filesystem::remove(cache);
}

TEST_F(ManagedServerIntegration, FailsClosedUntilTheFirstPolicyThenFollowsIt) {
  LocalServerProcess server(server_binary());
  create_agent(server, "it-closed", R"(["read:*"])");
  Agent agent = Agent::managed("it-closed");
  auto session = agent.start_session();
  Decision before = check("read:orders");
  EXPECT_FALSE(before.allowed);
  EXPECT_EQ(before.reason, DenialReason::kNoPolicy);
  configure_policy(options_for(server));
  EXPECT_TRUE(check("read:orders").allowed);
  auto session_of_stranger = Agent::managed("it-not-in-project").start_session();
  Decision stranger = check("read:orders");
  EXPECT_EQ(stranger.reason, DenialReason::kUnknownAgent);
}

// What the SDK relies on after every failure and restart: once a long-poll
// has been woken by an edit, a plain GET /v1/policy still answers the policy.
TEST_F(ManagedServerIntegration, ThePolicyStaysReadableAfterALongPollWakes) {
  LocalServerProcess server(server_binary());
  std::string agent_id = create_agent(server, "it-readable", R"(["read:*"])");
  configure_policy(options_for(server));
  Agent agent = Agent::managed("it-readable");
  ASSERT_TRUE(agent.policy_version().has_value()) << policy_status().last_error;
  std::int64_t before = *agent.policy_version();
  // Wake the SDK's long-poll, held at the server, with an edit.
  ASSERT_TRUE(eventually([&] { return policy_waiters(server) >= 1; }));
  set_scopes(server, agent_id, R"(["write:orders"])");
  ASSERT_TRUE(eventually([&] { return agent.policy_version() > before; }))
      << policy_status().last_error;
  shutdown_policy();
  for (int i = 0; i < 3; ++i) {
    std::string body = fetch_policy(server);
    std::string error;
    auto document = parse_policy_document(body, &error);
    ASSERT_TRUE(document) << error << ": " << body.substr(0, 80);
    EXPECT_EQ(document->version, *agent.policy_version());
  }
}

}  // namespace
}  // namespace agentsudo
