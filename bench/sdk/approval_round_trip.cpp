// How long a person's approval takes to reach the call waiting for it. Each
// round: a thread whose agent lacks the scope calls a guarded function in
// approval mode and waits; once its request is on the server (on_pending),
// this program approves it through the management API and times from just
// before that POST to the guarded function running. Prints the percentiles
// as one JSON line.
//
//   agentsudo_approval_round_trip --endpoint URL --api-key KEY --project ID
//                                 --token TOKEN [--rounds 100]
#include <curl/curl.h>

#include <agentsudo/agentsudo.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Arguments {
  std::string endpoint;
  std::string api_key;
  std::string project;
  std::string token;
  int rounds = 100;
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
    else if (name == "--rounds")
      arguments.rounds = std::stoi(value);
    else
      throw std::runtime_error("unknown option " + name);
  }
  if (arguments.endpoint.empty() || arguments.api_key.empty() || arguments.project.empty() ||
      arguments.token.empty() || arguments.rounds < 1)
    throw std::runtime_error("--endpoint, --api-key, --project and --token are required");
  return arguments;
}

// The management API's approve, on one reused connection.
class Approver {
 public:
  explicit Approver(const Arguments& arguments)
      : prefix_(arguments.endpoint + "/api/v1/projects/" + arguments.project + "/approvals/"),
        curl_(curl_easy_init()) {
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + arguments.token).c_str());
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
  }
  ~Approver() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  Approver(const Approver&) = delete;
  Approver& operator=(const Approver&) = delete;

  void approve(const std::string& id) {
    std::string url = prefix_ + id + "/approve";
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &discard);
    long status = 0;
    if (curl_easy_perform(curl_) != CURLE_OK ||
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200)
      throw std::runtime_error("approve " + id + " answered " + std::to_string(status));
  }

 private:
  static size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

  std::string prefix_;
  CURL* curl_;
  curl_slist* headers_ = nullptr;
};

// Hands the pending request's id from the waiting thread to the approver.
class PendingId {
 public:
  void put(std::string id) {
    std::lock_guard lock(mutex_);
    id_ = std::move(id);
    ready_.notify_one();
  }
  std::string take() {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, std::chrono::seconds(30), [&] { return id_.has_value(); }))
      throw std::runtime_error("no approval request within 30 s");
    std::string id = std::move(*id_);
    id_.reset();
    return id;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::optional<std::string> id_;
};

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) try {
  Arguments arguments = parse_arguments(argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Approver approver(arguments);
  PendingId pending;
  Clock::time_point ran_at;

  agentsudo::Agent agent("bench-approval-agent", {"read:orders"});
  auto guarded = agentsudo::sudo_approval(
      "write:refunds", [&](int /*round*/) { ran_at = Clock::now(); },
      {.function_name = "issue_refund",
       .approval = {.timeout = std::chrono::seconds(30),
                    .api_key = arguments.api_key,
                    .endpoint = arguments.endpoint,
                    .on_pending = [&](const agentsudo::PendingApproval& request) {
                      pending.put(std::string(request.id));
                    }}});

  std::vector<double> millis;
  for (int round = 0; round < arguments.rounds; ++round) {
    auto call = std::async(std::launch::async, [&] {
      auto session = agent.start_session();
      guarded(round);  // a distinct argument digest each round
    });
    std::string id = pending.take();
    Clock::time_point approved_at = Clock::now();
    approver.approve(id);
    call.get();  // rethrows a PermissionDenied
    millis.push_back(std::chrono::duration<double, std::milli>(ran_at - approved_at).count());
  }
  std::printf("{\"rounds\": %zu, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f}\n",
              millis.size(), percentile(millis, 50), percentile(millis, 99),
              percentile(millis, 100));
  curl_global_cleanup();
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "agentsudo_approval_round_trip: %s\n", error.what());
  return 1;
}
