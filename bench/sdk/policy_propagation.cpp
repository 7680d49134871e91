// How long an edit takes to reach a managed agent, with many other SDKs
// subscribed. Holds N long-polls open on GET /v1/policy (one curl multi
// handle, one connection each, re-armed as each answers), runs one managed
// agent in this process, and E times: PATCHes the agent's scopes through the
// management API and measures from the PATCH's response to the first check
// that grants the new scope. Prints the percentiles as one JSON line.
//
//   agentsudo_policy_propagation --endpoint URL --api-key KEY --project ID
//                                --token TOKEN [--subscribers 1000] [--edits 100]
#include <curl/curl.h>
#include <strings.h>

#include <agentsudo/agentsudo.hpp>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Arguments {
  std::string endpoint;
  std::string api_key;
  std::string project;
  std::string token;
  int subscribers = 1000;
  int edits = 100;
};

Arguments parse_arguments(int argc, char** argv) {
  Arguments arguments;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    std::string value = argv[i + 1];
    if (name == "--endpoint")
      arguments.endpoint = value;
    else if (name == "--api-key")
      arguments.api_key = value;
    else if (name == "--project")
      arguments.project = value;
    else if (name == "--token")
      arguments.token = value;
    else if (name == "--subscribers")
      arguments.subscribers = std::stoi(value);
    else if (name == "--edits")
      arguments.edits = std::stoi(value);
    else
      throw std::runtime_error("unknown option " + name);
  }
  if (arguments.endpoint.empty() || arguments.api_key.empty() || arguments.project.empty() ||
      arguments.token.empty()) {
    throw std::runtime_error(
        "usage: agentsudo_policy_propagation --endpoint URL --api-key KEY --project ID --token "
        "TOKEN [--subscribers N] [--edits N]");
  }
  return arguments;
}

std::size_t append_to_string(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One management API call; returns the status and fills `body`.
long management_call(const Arguments& arguments, const char* method, const std::string& path,
                     const std::string& json, std::string& body) {
  CURL* curl = curl_easy_init();
  std::string authorization = "Authorization: Bearer " + arguments.token;
  curl_slist* headers = curl_slist_append(nullptr, authorization.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  std::string url = arguments.endpoint + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return status;
}

// The N subscribed clients: each holds GET /v1/policy?after=V&wait=25 open
// and asks again, after the version it was told, as soon as it is answered.
class Subscribers {
 public:
  Subscribers(const Arguments& arguments) : arguments_(arguments) {
    thread_ = std::thread([this] { run(); });
  }
  ~Subscribers() {
    stop_ = true;
    curl_multi_wakeup(multi_.load());
    thread_.join();
  }

  // Long-polls open now: requests under way and not yet answered.
  int in_flight() const { return in_flight_.load(); }
  std::uint64_t answers() const { return answers_.load(); }
  std::uint64_t errors() const { return errors_.load(); }

 private:
  struct Client {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    std::string body;
    std::string etag;
    std::int64_t after = 0;
  };

  static std::size_t read_header(char* data, std::size_t size, std::size_t count, void* out) {
    std::string_view line(data, size * count);
    if (line.size() > 5 && strncasecmp(line.data(), "etag:", 5) == 0)
      static_cast<Client*>(out)->etag = std::string(line.substr(5));
    return size * count;
  }

  static std::int64_t version_in(const std::string& etag, std::int64_t otherwise) {
    std::size_t open = etag.find('"');
    if (open == std::string::npos)
      return otherwise;
    std::int64_t version = otherwise;
    std::from_chars(etag.data() + open + 1, etag.data() + etag.size(), version);
    return version;
  }

  void arm(CURLM* multi, Client& client) {
    std::string url =
        arguments_.endpoint + "/v1/policy?after=" + std::to_string(client.after) + "&wait=25";
    client.body.clear();
    client.etag.clear();
    curl_easy_setopt(client.easy, CURLOPT_URL, url.c_str());
    curl_multi_add_handle(multi, client.easy);
    ++in_flight_;
  }

  void run() {
    CURLM* multi = curl_multi_init();
    multi_ = multi;
    std::vector<std::unique_ptr<Client>> clients;
    std::string key_header = "X-API-Key: " + arguments_.api_key;
    for (int i = 0; i < arguments_.subscribers; ++i) {
      auto client = std::make_unique<Client>();
      client->easy = curl_easy_init();
      client->headers = curl_slist_append(nullptr, key_header.c_str());
      curl_easy_setopt(client->easy, CURLOPT_HTTPHEADER, client->headers);
      curl_easy_setopt(client->easy, CURLOPT_WRITEFUNCTION, append_to_string);
      curl_easy_setopt(client->easy, CURLOPT_WRITEDATA, &client->body);
      curl_easy_setopt(client->easy, CURLOPT_HEADERFUNCTION, read_header);
      curl_easy_setopt(client->easy, CURLOPT_HEADERDATA, client.get());
      curl_easy_setopt(client->easy, CURLOPT_PRIVATE, client.get());
      curl_easy_setopt(client->easy, CURLOPT_TIMEOUT_MS, 40000L);
      curl_easy_setopt(client->easy, CURLOPT_NOSIGNAL, 1L);
      arm(multi, *client);
      clients.push_back(std::move(client));
    }
    while (!stop_) {
      int running = 0;
      curl_multi_perform(multi, &running);
      int queued = 0;
      while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
        if (message->msg != CURLMSG_DONE)
          continue;
        Client* client = nullptr;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &client);
        long status = 0;
        curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        curl_multi_remove_handle(multi, message->easy_handle);
        --in_flight_;
        if (message->data.result == CURLE_OK && (status == 200 || status == 304)) {
          ++answers_;
          client->after = version_in(client->etag, client->after);
        } else {
          ++errors_;
        }
        arm(multi, *client);
      }
      curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    for (auto& client : clients) {
      curl_multi_remove_handle(multi, client->easy);
      curl_easy_cleanup(client->easy);
      curl_slist_free_all(client->headers);
    }
    curl_multi_cleanup(multi);
  }

  const Arguments& arguments_;
  std::atomic<CURLM*> multi_{nullptr};
  std::atomic<bool> stop_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<std::uint64_t> answers_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::thread thread_;
};

double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  std::size_t index =
      static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[index];
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Arguments arguments = parse_arguments(argc, argv);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const std::string agents_path = "/api/v1/projects/" + arguments.project + "/agents";
    std::string body;
    long status = management_call(arguments, "POST", agents_path,
                                  R"({"name": "propagation-bot", "scopes": ["flip:0"]})", body);
    if (status != 201)
      throw std::runtime_error("creating the agent: " + std::to_string(status) + " " + body);
    std::size_t id_at = body.find("\"id\"");
    std::size_t open = body.find('"', body.find(':', id_at) + 1);
    std::string agent_id = body.substr(open + 1, body.find('"', open + 1) - open - 1);

    Subscribers subscribers(arguments);
    agentsudo::PolicyOptions options;
    options.api_key = arguments.api_key;
    options.endpoint = arguments.endpoint;
    options.startup_wait = 10s;
    agentsudo::configure_policy(options);
    agentsudo::Agent agent = agentsudo::Agent::managed("propagation-bot");
    if (!agent.has_scope("flip:0"))
      throw std::runtime_error("no policy: " + agentsudo::policy_status().last_error);
    // Let every subscriber's long-poll reach the server before measuring.
    std::this_thread::sleep_for(3s);

    std::vector<double> millis;
    int fewest_in_flight = arguments.subscribers;
    for (int edit = 1; edit <= arguments.edits; ++edit) {
      // Each edit meets every subscriber's long-poll re-armed.
      for (auto deadline = Clock::now() + 5s;
           subscribers.in_flight() < arguments.subscribers && Clock::now() < deadline;)
        std::this_thread::sleep_for(1ms);
      fewest_in_flight = std::min(fewest_in_flight, subscribers.in_flight());
      std::string scope = "flip:" + std::to_string(edit);
      body.clear();
      status = management_call(arguments, "PATCH", agents_path + "/" + agent_id,
                               R"({"scopes": [")" + scope + R"("]})", body);
      auto answered = Clock::now();
      if (status != 200)
        throw std::runtime_error("PATCH: " + std::to_string(status) + " " + body);
      while (!agent.has_scope(scope)) {
        if (Clock::now() - answered > 30s)
          throw std::runtime_error(
              "edit " + std::to_string(edit) +
              " never arrived; SDK's last error: " + agentsudo::policy_status().last_error +
              "; version " + std::to_string(agentsudo::policy_status().version));
        std::this_thread::yield();
      }
      millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - answered).count());
      // Spaced edits, as people make them.
      std::this_thread::sleep_for(100ms);
    }
    agentsudo::shutdown_policy();
    std::printf(
        "{\"subscribers\": %d, \"fewest_in_flight_at_edit\": %d, \"edits\": %d, \"p50_ms\": "
        "%.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, \"subscriber_answers\": %llu, "
        "\"subscriber_errors\": %llu}\n",
        arguments.subscribers, fewest_in_flight, arguments.edits, percentile(millis, 0.50),
        percentile(millis, 0.99), percentile(millis, 1.0),
        static_cast<unsigned long long>(subscribers.answers()),
        static_cast<unsigned long long>(subscribers.errors()));
    return subscribers.errors() == 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "agentsudo_policy_propagation: %s\n", error.what());
    return 1;
  }
}
