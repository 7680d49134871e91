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
// A billion events a day is about half a terabyte a day in one SQLite data
// directory, so a larger quota is a typo or "unlimited" in disguise (and
// near 2^63 the quota arithmetic would overflow).
inline constexpr std::int64_t kMaxCustomDailyQuota = 1'000'000'000;

// Parses "free", "pro", or a number of events per day (a custom tier).
// kInvalidParameter naming "tier" otherwise.
Result<Tier> parse_tier(std::string_view text);
// A custom tier of 1 to kMaxCustomDailyQuota events per day;
// kInvalidParameter naming "tier" otherwise.
Result<Tier> custom_tier(std::int64_t daily_quota);
// The refusal of a tier that is none of the above, naming "tier".
Error invalid_tier();

}  // namespace agentsudo::server
