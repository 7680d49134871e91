#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server {

// A project's plan: its name and how many events it may store per UTC day.
struct Tier {
  std::string name;  // "free", "pro" or "custom"
  std::int64_t daily_quota = 0;
};

inline constexpr std::int64_t kFreeDailyQuota = 1'000;
inline constexpr std::int64_t kProDailyQuota = 100'000;

// Parses "free", "pro", or a positive number of events per day (a custom tier).
Result<Tier> parse_tier(std::string_view text);

}  // namespace agentsudo::server
