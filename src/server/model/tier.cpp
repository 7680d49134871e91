#include "server/model/tier.hpp"

#include <charconv>

namespace agentsudo::server {

Result<Tier> parse_tier(std::string_view text) {
  if (text == "free")
    return Tier{"free", kFreeDailyQuota};
  if (text == "pro")
    return Tier{"pro", kProDailyQuota};
  std::int64_t quota = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), quota);
  if (ec != std::errc() || end != text.data() + text.size() || quota <= 0) {
    return make_error(ErrorKind::kInvalidParameter,
                      "tier must be free, pro, or a positive number of events per day", "tier");
  }
  return Tier{"custom", quota};
}

}  // namespace agentsudo::server
