#include "server/notify/webhook_dispatcher.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/notify/approval_payload.hpp"
#include "server/notify/retry_schedule.hpp"
#include "server/notify/webhook_signature.hpp"

namespace agentsudo::server {

namespace {

// How long the worker sleeps with nothing due; notify() wakes it sooner.
constexpr std::chrono::milliseconds kIdleWait{60'000};
// While POSTs run, how often the worker looks for newly due deliveries.
constexpr std::chrono::milliseconds kBusyWait{100};
// After the store failed, before the worker asks it again.
constexpr std::chrono::milliseconds kStoreRetryWait{1'000};

WebhookRequest signed_request(const DueDelivery& due, UnixMicros now) {
  const auto& delivery = due.delivery;
  std::int64_t unix_seconds = now / 1'000'000;
  return {delivery.id,
          due.url,
          {"Content-Type: application/json", "User-Agent: AgentSudo-Webhooks/1",
           std::string(WebhookSignature::kHeader) + ": " +
               WebhookSignature::header_value(due.secret, unix_seconds, delivery.payload),
           "AgentSudo-Delivery: " + delivery.id, "AgentSudo-Event: " + delivery.type},
          delivery.payload};
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(WebhookStore& store, const Clock& clock)
    : store_(store), clock_(clock) {}

WebhookDispatcher::~WebhookDispatcher() {
  stop();
}

void WebhookDispatcher::start(std::string public_url) {
  public_url_ = std::move(public_url);
  worker_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "webhooks");
    run();
  });
}

void WebhookDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  transport_.wake();
  if (worker_.joinable())
    worker_.join();
}

void WebhookDispatcher::notify(const Approval& approval) {
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(approval);
  }
  transport_.wake();
}

Result<std::string> WebhookDispatcher::ping(std::int64_t project_rowid, std::string_view project_id,
                                            std::string_view webhook_id) {
  std::string project(project_id);
  ASSIGN_OR_RETURN(auto id, store_.enqueue_for_webhook(
                                project_rowid, webhook_id, ApprovalPayload::kPing, clock_.now(),
                                [&project](const Webhook& webhook, const std::string& delivery_id,
                                           UnixMicros created_at) {
                                  return ApprovalPayload::ping_body(webhook, project, delivery_id,
                                                                    created_at);
                                }));
  transport_.wake();
  return id;
}

void WebhookDispatcher::run() {
  while (!write_queued()) {
    UnixMicros now = clock_.now();
    start_due(now);
    for (const auto& outcome : transport_.wait(idle_wait(now)))
      finish(outcome);
  }
  transport_.abort_all();
  in_flight_.clear();
}

bool WebhookDispatcher::write_queued() {
  std::deque<Approval> approvals;
  bool stopping = false;
  {
    std::lock_guard lock(mutex_);
    approvals.swap(queued_);
    stopping = stopping_;
  }
  for (const auto& approval : approvals) {
    auto written = store_.enqueue_for_project(
        approval.project_rowid, ApprovalPayload::event_type(approval.status), clock_.now(),
        [this, &approval](const Webhook& webhook, const std::string& delivery_id,
                          UnixMicros created_at) {
          return ApprovalPayload::approval_body(webhook.format, approval, delivery_id, created_at,
                                                public_url_);
        });
    if (!written)
      spdlog::error("webhook notification of approval {} lost: {}", approval.id,
                    written.error().message);
  }
  return stopping;
}

void WebhookDispatcher::start_due(UnixMicros now) {
  if (transport_.in_flight() >= kMaxInFlight)
    return;
  auto due = store_.due_deliveries(now, kMaxInFlight + in_flight_.size());
  if (!due) {
    spdlog::error("cannot read due webhook deliveries: {}", due.error().message);
    return;
  }
  for (const auto& delivery : *due) {
    if (transport_.in_flight() >= kMaxInFlight)
      break;
    if (in_flight_.contains(delivery.delivery.id))
      continue;
    in_flight_.emplace(delivery.delivery.id, delivery.delivery.attempts);
    transport_.start(signed_request(delivery, now));
  }
}

void WebhookDispatcher::finish(const WebhookOutcome& outcome) {
  auto found = in_flight_.find(outcome.delivery_id);
  if (found == in_flight_.end())
    return;
  std::int64_t attempts = found->second + 1;
  in_flight_.erase(found);
  UnixMicros now = clock_.now();
  DeliveryAttempt attempt{outcome.status, outcome.error, outcome.delivered, now, std::nullopt};
  if (!outcome.delivered) {
    attempt.next_attempt_at = RetrySchedule::next_attempt(attempts, now);
    spdlog::info("webhook delivery {} attempt {} failed: {}{}", outcome.delivery_id, attempts,
                 outcome.error, attempt.next_attempt_at ? "" : "; given up");
  }
  if (auto recorded = store_.record_attempt(outcome.delivery_id, attempt); !recorded)
    spdlog::error("cannot record webhook delivery {}: {}", outcome.delivery_id,
                  recorded.error().message);
}

std::chrono::milliseconds WebhookDispatcher::idle_wait(UnixMicros now) {
  auto next = store_.next_due_at();
  if (!next)
    return kStoreRetryWait;
  auto wait = kIdleWait;
  if (*next) {
    auto until_due = std::chrono::milliseconds(std::max<UnixMicros>(0, (**next - now) / 1000));
    wait = std::min(wait, until_due);
  }
  if (transport_.in_flight() > 0)
    wait = std::max(wait, kBusyWait);
  return wait;
}

}  // namespace agentsudo::server
