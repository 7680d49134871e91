#pragma once

#include <chrono>
#include <random>

namespace agentsudo {

// Pauses between retries of a failed request: exponential, capped, and
// jittered so that many clients failing together do not retry together.
//
// Not thread-safe (it owns a random generator); one per sending thread.
class RetryBackoff {
 public:
  RetryBackoff(std::chrono::milliseconds base, std::chrono::milliseconds max);

  // The pause before retry `attempt` (0 for the first retry): uniformly drawn
  // from the upper half of min(max, base * 2^attempt), so it always grows
  // with the attempt yet never synchronizes.
  std::chrono::milliseconds delay(int attempt);

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds max_;
  std::minstd_rand random_;
};

}  // namespace agentsudo
