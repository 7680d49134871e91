#include "sdk/event_queue.hpp"

#include <new>
#include <string>

namespace agentsudo {
namespace {

// Storage kept for reuse beyond this many batches is freed: enough for the
// senders' batches in flight and the next few, not a burst's worth.
constexpr std::size_t kMaxSpareBatches = 8;
// What the allocator adds to each block it hands out.
constexpr std::size_t kAllocationOverhead = 16;

std::size_t heap_bytes(const std::string& text) noexcept {
  const char* object = reinterpret_cast<const char*>(&text);
  bool inline_buffer = text.data() >= object && text.data() < object + sizeof text;
  return inline_buffer ? 0 : text.capacity() + 1 + kAllocationOverhead;
}

}  // namespace

EventQueue::EventQueue(std::size_t batch_size, std::size_t max_bytes, std::size_t max_events)
    : batch_size_(batch_size), max_bytes_(max_bytes), max_events_(max_events) {
  spare_.reserve(kMaxSpareBatches);
  // The first batches of a run come from here, not from the deciding thread.
  spare_.push_back(fresh_storage());
  spare_.push_back(fresh_storage());
}

std::size_t EventQueue::cost_of(const EventRecord& event) noexcept {
  std::size_t bytes = sizeof(EventRecord) + heap_bytes(event.check_scope);
  if (event.guardrail) {
    bytes += sizeof(GuardrailDetail) + kAllocationOverhead + heap_bytes(event.guardrail->rule) +
             heap_bytes(event.guardrail->reason) + heap_bytes(event.guardrail->text_preview);
  }
  if (event.approval)
    bytes += sizeof(ApprovalDetail) + kAllocationOverhead + heap_bytes(event.approval->approval_id);
  if (event.policy)
    bytes += heap_bytes(event.policy->matched) + heap_bytes(event.policy->role);
  return bytes;
}

EventQueue::PushResult EventQueue::push(EventRecord&& event, std::size_t cost) noexcept {
  if (released_ || bytes_ + cost > max_bytes_ ||
      (max_events_ != 0 && charged_events_ >= max_events_)) {
    return PushResult::kRefused;
  }
  try {
    if (batches_.empty() || batches_.back().events.size() >= batch_size_)
      batches_.push_back(EventBatch{.events = fresh_storage(), .bytes = 0});
  } catch (const std::bad_alloc&) {
    return PushResult::kRefused;
  }
  EventBatch& tail = batches_.back();
  tail.events.push_back(std::move(event));  // Never reallocates: reserved batch_size_.
  tail.bytes += cost;
  bytes_ += cost;
  ++waiting_;
  ++charged_events_;
  return tail.events.size() == batch_size_ ? PushResult::kFilledBatch : PushResult::kQueued;
}

EventBatch EventQueue::take_batch() {
  EventBatch batch = std::move(batches_.front());
  batches_.pop_front();
  batch.count = batch.events.size();
  waiting_ -= batch.count;
  return batch;
}

void EventQueue::give_back(EventBatch&& batch) noexcept {
  bytes_ -= batch.bytes;
  charged_events_ -= batch.count;
  batch.events.clear();
  if (!released_ && spare_.size() < kMaxSpareBatches && batch.events.capacity() >= batch_size_) {
    spare_.push_back(std::move(batch.events));  // Never reallocates: reserved.
  }
}

std::size_t EventQueue::release() noexcept {
  std::size_t dropped = waiting_;
  for (EventBatch& batch : batches_)
    bytes_ -= batch.bytes;
  charged_events_ -= waiting_;
  batches_.clear();
  spare_.clear();
  waiting_ = 0;
  released_ = true;
  return dropped;
}

std::vector<EventRecord> EventQueue::fresh_storage() {
  if (!spare_.empty()) {
    std::vector<EventRecord> storage = std::move(spare_.back());
    spare_.pop_back();
    return storage;
  }
  std::vector<EventRecord> storage;
  storage.reserve(batch_size_);
  return storage;
}

}  // namespace agentsudo
