#include "sdk/retry_backoff.hpp"

#include <algorithm>

namespace agentsudo {

RetryBackoff::RetryBackoff(std::chrono::milliseconds base, std::chrono::milliseconds max)
    : base_(base), max_(max), random_(std::random_device{}()) {}

std::chrono::milliseconds RetryBackoff::delay(int attempt) {
  // Doubling past 2^20 only overflows; the cap has long been reached.
  int doublings = std::clamp(attempt, 0, 20);
  auto ceiling = std::min(max_, base_ * (std::int64_t{1} << doublings));
  std::uniform_int_distribution<std::int64_t> upper_half(ceiling.count() / 2, ceiling.count());
  return std::chrono::milliseconds(upper_half(random_));
}

}  // namespace agentsudo
