#include "server/model/tier.hpp"

#include <charconv>
#include <string>

namespace agentsudo::server {

Error invalid_tier() {
  return make_error(ErrorKind::kInvalidParameter,
                    "tier must be free, pro, or a number of events per day from 1 to " +
                        std::to_string(kMaxCustomDailyQuota),
                    "tier");
}

Result<Tier> parse_tier(std::string_view text) {
  if (text == "free")
    return Tier{"free", kFreeDailyQuota};
  if (text == "pro")
    return Tier{"pro", kProDailyQuota};
  std::int64_t quota = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), quota);
  if (ec != std::errc() || end != text.data() + text.size())
    return invalid_tier();
  return custom_tier(quota);
}

Result<Tier> custom_tier(std::int64_t daily_quota) {
  if (daily_quota <= 0 || daily_quota > kMaxCustomDailyQuota)
    return invalid_tier();
  return Tier{"custom", daily_quota};
}

}  // namespace agentsudo::server
