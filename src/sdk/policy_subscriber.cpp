#include "sdk/policy_subscriber.hpp"

#include <cstdlib>

#include "agentsudo/errors.hpp"
#include "sdk/cloud_settings.hpp"
#include "sdk/policy_registry.hpp"
#include "sdk/retry_backoff.hpp"

namespace agentsudo {
namespace {

constexpr const char* kDefaultEndpoint = "http://127.0.0.1:8080";
// The server's bound on `wait`.
constexpr std::chrono::seconds kMaxLongPollWait{60};

std::string from_environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::int64_t wall_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void validate(const PolicyOptions& options) {
  if (options.api_key.empty()) {
    throw ConfigurationError(
        "configure_policy: no API key; set PolicyOptions::api_key or AGENTSUDO_API_KEY, or call "
        "configure_cloud() first");
  }
  if (options.long_poll_wait.count() < 0 || options.long_poll_wait > kMaxLongPollWait) {
    throw ConfigurationError("configure_policy: long_poll_wait must be 0 to 60 s");
  }
  if (options.startup_wait.count() < 0 || options.request_timeout.count() <= 0 ||
      options.retry_base_delay.count() <= 0 || options.retry_max_delay < options.retry_base_delay) {
    throw ConfigurationError("configure_policy: intervals must be positive");
  }
}

std::string describe(const PolicyResponse& response) {
  if (response.status == 0)
    return "GET /v1/policy failed: " + response.error;
  std::string text = "GET /v1/policy answered " + std::to_string(response.status);
  if (!response.body.empty())
    text += ": " + response.body.substr(0, 200);
  return text;
}

}  // namespace

PolicySettings PolicySettings::resolve(PolicyOptions options) {
  std::optional<CloudOptions> cloud = active_cloud_options();
  if (options.api_key.empty())
    options.api_key = from_environment("AGENTSUDO_API_KEY");
  if (options.api_key.empty() && cloud)
    options.api_key = cloud->api_key;
  if (options.endpoint.empty())
    options.endpoint = from_environment("AGENTSUDO_ENDPOINT");
  if (options.endpoint.empty() && cloud)
    options.endpoint = cloud->endpoint;
  if (options.endpoint.empty())
    options.endpoint = kDefaultEndpoint;
  validate(options);
  std::string base = options.endpoint;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return PolicySettings{
      .policy_url = base + "/v1/policy", .api_key = options.api_key, .options = std::move(options)};
}

PolicySubscriber::PolicySubscriber(PolicySettings settings, PolicyRegistry& registry)
    : settings_(std::move(settings)), registry_(registry) {
  if (!settings_.options.cache_path.empty()) {
    cache_.emplace(settings_.options.cache_path);
    load_cache();
  }
  registry_.set_subscribed(true);
  thread_ = std::thread([this] { run(); });
}

PolicySubscriber::~PolicySubscriber() {
  stop();
}

void PolicySubscriber::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  fetcher_.interrupt();
  std::lock_guard join_lock(join_mutex_);
  if (thread_.joinable()) {
    thread_.join();
    registry_.set_subscribed(false);
  }
}

void PolicySubscriber::load_cache() {
  // A policy already enforced (an earlier subscription's) is newer than any
  // file this process wrote.
  if (registry_.version())
    return;
  std::string error;
  std::optional<CachedPolicy> cached = cache_->load(&error);
  if (!cached) {
    // No file yet is the normal first start, not a rejection.
    if (std::filesystem::exists(cache_->path()))
      registry_.record_cache_rejected(std::move(error));
    return;
  }
  registry_.apply(cached->document, PolicySource::kCache, cached->saved_at_us);
}

bool PolicySubscriber::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !stop_requested_.wait_for(lock, delay, [&] { return stopping_; });
}

bool PolicySubscriber::accept(const std::string& body, std::optional<std::int64_t> enforced,
                              bool long_poll) {
  std::string error;
  std::optional<PolicyDocument> document = parse_policy_document(body, &error);
  if (!document) {
    registry_.record_fetch_failure("GET /v1/policy sent no valid policy: " + error + ": " +
                                   body.substr(0, 200));
    return false;
  }
  std::int64_t now_us = wall_now_us();
  if (enforced && *enforced == document->version) {
    if (long_poll) {
      // Answering at once with what we have would make us ask again at once.
      registry_.record_fetch_failure("GET /v1/policy?after=" + std::to_string(*enforced) +
                                     " answered 200 with that same version instead of waiting");
      return false;
    }
    registry_.confirm(now_us);
    return true;
  }
  registry_.apply(*document, PolicySource::kServer, now_us);
  if (cache_) {
    std::string cache_error;
    if (!cache_->save(body, now_us, &cache_error))
      registry_.record_cache_write_failure(std::move(cache_error));
  }
  return true;
}

void PolicySubscriber::run() {
  const PolicyOptions& options = settings_.options;
  RetryBackoff backoff(options.retry_base_delay, options.retry_max_delay);
  int failures_in_a_row = 0;
  // A plain conditional GET first and after every failure: it answers at once
  // whatever the server's version is, even one below ours (a reset server).
  bool ask_plainly = true;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_)
        return;
    }
    std::optional<std::int64_t> enforced = registry_.version();
    std::string url = settings_.policy_url;
    std::chrono::milliseconds timeout = options.request_timeout;
    bool long_poll = !ask_plainly && enforced;
    if (long_poll) {
      url += "?after=" + std::to_string(*enforced) +
             "&wait=" + std::to_string(options.long_poll_wait.count());
      timeout += options.long_poll_wait;
    }
    PolicyResponse response =
        fetcher_.get(url, settings_.api_key, enforced, timeout, options.request_timeout);
    bool ok = false;
    if (response.status == 200) {
      ok = accept(response.body, enforced, long_poll);
      ask_plainly = false;
    } else if (response.status == 304 && enforced) {
      registry_.confirm(wall_now_us());
      ok = true;
      // A 304 naming another version than ours means the server went back.
      ask_plainly = response.etag_version && *response.etag_version != *enforced;
    } else {
      {
        std::lock_guard lock(mutex_);
        if (stopping_)
          return;
      }
      registry_.record_fetch_failure(describe(response));
    }
    if (ok) {
      failures_in_a_row = 0;
      continue;
    }
    ask_plainly = true;
    if (!pause(backoff.delay(failures_in_a_row++)))
      return;
  }
}

}  // namespace agentsudo
