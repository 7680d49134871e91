#include "sdk/policy_registry.hpp"

#include <algorithm>
#include <thread>

#include "sdk/snapshot_reclaimer.hpp"

namespace agentsudo {
namespace {

// Read sections last nanoseconds, so a retired snapshot is usually free at
// the first pass; a few yields cover a reader preempted inside one. What
// still waits is freed on the next update.
constexpr int kReclaimPasses = 16;

void destroy_snapshot(const void* snapshot) {
  delete static_cast<const detail::ManagedAgentPolicy*>(snapshot);
}

std::int64_t wall_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

PolicyRegistry& PolicyRegistry::instance() {
  // Deliberately never destroyed; see the class comment.
  static PolicyRegistry* registry = new PolicyRegistry();
  return *registry;
}

PolicyRegistry::PolicyRegistry() {
  // Set up the reclaimer (and its membarrier registration) before any
  // snapshot exists for a check to read.
  SnapshotReclaimer::instance();
}

std::unique_ptr<const detail::ManagedAgentPolicy> PolicyRegistry::snapshot_for(
    const std::string& name) const {
  if (!document_)
    return nullptr;
  auto snapshot = std::make_unique<detail::ManagedAgentPolicy>();
  snapshot->version = document_->version;
  if (const AgentPolicyEntry* entry = document_->find(name)) {
    snapshot->known = true;
    snapshot->role = entry->role;
    snapshot->session_ttl = entry->session_ttl;
    snapshot->scopes = entry->scopes;
    snapshot->compiled_scopes = ScopeSet(snapshot->scopes);
  }
  return snapshot;
}

void PolicyRegistry::publish(detail::ManagedAgentSlot& slot,
                             std::unique_ptr<const detail::ManagedAgentPolicy> snapshot) {
  const detail::ManagedAgentPolicy* old =
      slot.policy.exchange(snapshot.release(), std::memory_order_acq_rel);
  if (old != nullptr)
    SnapshotReclaimer::instance().retire(old, destroy_snapshot);
}

const detail::ManagedAgentSlot* PolicyRegistry::slot_for(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto found = slots_.find(name);
  if (found != slots_.end())
    return &found->second;
  auto [inserted, added] = slots_.emplace(std::piecewise_construct, std::forward_as_tuple(name),
                                          std::forward_as_tuple());
  detail::ManagedAgentSlot& slot = inserted->second;
  slot.name = name;
  if (auto snapshot = snapshot_for(name))
    slot.policy.store(snapshot.release(), std::memory_order_release);
  return &slot;
}

void PolicyRegistry::apply(const PolicyDocument& document, PolicySource source,
                           std::int64_t confirmed_at_us) {
  {
    std::lock_guard lock(mutex_);
    document_ = document;
    for (auto& [name, slot] : slots_)
      publish(slot, snapshot_for(name));
    status_.version = document.version;
    status_.source = source;
    ++status_.updates;
    confirmed_at_us_ = confirmed_at_us;
  }
  policy_arrived_.notify_all();
  SnapshotReclaimer& reclaimer = SnapshotReclaimer::instance();
  for (int pass = 0; pass < kReclaimPasses && reclaimer.reclaim() > 0; ++pass)
    std::this_thread::yield();
}

void PolicyRegistry::confirm(std::int64_t confirmed_at_us) {
  std::lock_guard lock(mutex_);
  if (!document_)
    return;
  status_.source = PolicySource::kServer;
  confirmed_at_us_ = confirmed_at_us;
}

void PolicyRegistry::record_fetch_failure(std::string error) {
  std::lock_guard lock(mutex_);
  ++status_.fetch_failures;
  status_.last_error = std::move(error);
}

void PolicyRegistry::record_cache_rejected(std::string error) {
  std::lock_guard lock(mutex_);
  ++status_.cache_rejected;
  status_.last_error = std::move(error);
}

void PolicyRegistry::record_cache_write_failure(std::string error) {
  std::lock_guard lock(mutex_);
  ++status_.cache_write_failures;
  status_.last_error = std::move(error);
}

void PolicyRegistry::set_subscribed(bool subscribed) {
  std::lock_guard lock(mutex_);
  status_.subscribed = subscribed;
}

std::optional<std::int64_t> PolicyRegistry::version() const {
  std::lock_guard lock(mutex_);
  if (!document_)
    return std::nullopt;
  return document_->version;
}

bool PolicyRegistry::wait_for_policy(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mutex_);
  return policy_arrived_.wait_until(lock, deadline, [&] { return document_.has_value(); });
}

void PolicyRegistry::reset_for_testing() {
  {
    std::lock_guard lock(mutex_);
    document_.reset();
    for (auto& [name, slot] : slots_)
      publish(slot, nullptr);
    bool subscribed = status_.subscribed;
    status_ = PolicyStatus{};
    status_.subscribed = subscribed;
    confirmed_at_us_ = 0;
  }
  SnapshotReclaimer::instance().reclaim();
}

PolicyStatus PolicyRegistry::status() const {
  std::lock_guard lock(mutex_);
  PolicyStatus status = status_;
  if (document_) {
    auto age_us = std::max<std::int64_t>(0, wall_now_us() - confirmed_at_us_);
    status.age = std::chrono::milliseconds(age_us / 1000);
  }
  return status;
}

}  // namespace agentsudo
