#pragma once

#include <algorithm>
#include <chrono>

namespace agentsudo::server::http {

// How long the accept loop pauses after an accept failed (descriptors ran
// out, most often): long enough not to spin on an error that persists, short
// enough to serve again soon after connections close. Doubles from 10 ms up to
// 1 s; an accept that succeeds starts it over. Not thread-safe.
class AcceptBackoff {
 public:
  static constexpr std::chrono::milliseconds kFirst{10};
  static constexpr std::chrono::milliseconds kLongest{1000};

  // The pause to take now; the next one is twice as long.
  std::chrono::milliseconds next() {
    auto pause = pause_;
    pause_ = std::min(pause_ * 2, kLongest);
    return pause;
  }

  void reset() { pause_ = kFirst; }

 private:
  std::chrono::milliseconds pause_ = kFirst;
};

}  // namespace agentsudo::server::http
