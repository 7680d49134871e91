// The process-wide telemetry configuration behind configure_cloud().
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "agentsudo/telemetry.hpp"
#include "sdk/cloud_settings.hpp"
#include "sdk/event_dispatcher.hpp"
#include "sdk/http_client.hpp"
#include "sdk/telemetry_client.hpp"

namespace agentsudo {
namespace {

using Clock = std::chrono::steady_clock;

// Every client ever configured; `active` is the latest, possibly shut down. Clients are stopped
// when replaced but never destroyed: a thread may still be inside enqueue() on an old one, and
// guarded calls may run during static destruction.
struct CloudState {
  std::mutex mutex;
  std::vector<std::unique_ptr<TelemetryClient>> clients;  // Guarded by mutex.
  TelemetryClient* active = nullptr;                      // Guarded by mutex.
  std::chrono::milliseconds exit_flush_timeout{0};        // Guarded by mutex.
  bool exit_hook_installed = false;                       // Guarded by mutex.
};

CloudState& cloud() {
  static CloudState* state = new CloudState();
  return *state;
}

TelemetryClient* active_client() {
  std::lock_guard lock(cloud().mutex);
  return cloud().active;
}

void flush_at_exit() {
  std::chrono::milliseconds timeout;
  {
    std::lock_guard lock(cloud().mutex);
    timeout = cloud().exit_flush_timeout;
  }
  shutdown_telemetry(timeout);
}

}  // namespace

void configure_cloud(CloudOptions options) {
  auto settings = TelemetrySettings::resolve(std::move(options));
  auto exit_flush_timeout = settings.options.exit_flush_timeout;
  // A spool directory is one client's at a time: the previous one on it
  // closes first (decisions in between are dropped and counted by it).
  if (TelemetryClient* previous = active_client();
      previous != nullptr && !settings.options.spool_dir.empty() &&
      previous->options().spool_dir == settings.options.spool_dir)
    previous->shutdown(Clock::now() + exit_flush_timeout);
  auto client = std::make_unique<TelemetryClient>(std::move(settings));
  TelemetryClient* previous = nullptr;
  {
    std::lock_guard lock(cloud().mutex);
    previous = cloud().active;
    cloud().active = client.get();
    cloud().exit_flush_timeout = exit_flush_timeout;
    cloud().clients.push_back(std::move(client));
    EventDispatcher::instance().set_telemetry(cloud().active);
    if (!cloud().exit_hook_installed) {
      HttpClient::prepare_process();
      std::atexit(flush_at_exit);
      cloud().exit_hook_installed = true;
    }
  }
  if (previous != nullptr)
    previous->shutdown(Clock::now() + exit_flush_timeout);
}

bool flush_telemetry(Clock::time_point deadline) {
  TelemetryClient* client = active_client();
  return client == nullptr || client->flush(deadline);
}

bool flush_telemetry(std::chrono::milliseconds timeout) {
  return flush_telemetry(Clock::now() + timeout);
}

void shutdown_telemetry(std::chrono::milliseconds timeout) {
  TelemetryClient* client = nullptr;
  {
    // The client stays `active` so that its final counters remain readable.
    std::lock_guard lock(cloud().mutex);
    client = cloud().active;
    EventDispatcher::instance().set_telemetry(nullptr);
  }
  if (client != nullptr)
    client->shutdown(Clock::now() + timeout);
}

std::optional<CloudOptions> active_cloud_options() {
  TelemetryClient* client = active_client();
  if (client == nullptr)
    return std::nullopt;
  return client->options();
}

TelemetryCounters telemetry_counters() {
  TelemetryClient* client = active_client();
  return client != nullptr ? client->counters() : TelemetryCounters{};
}

}  // namespace agentsudo
