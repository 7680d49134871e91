#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentsudo {

// Microseconds since the Unix epoch, UTC. The one time representation that
// crosses layers: stored as-is, formatted only at the edges.
using UnixMicros = std::int64_t;

constexpr UnixMicros kMicrosPerSecond = 1'000'000;
constexpr UnixMicros kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Formats as RFC 3339 UTC with six fraction digits: "2026-01-15T10:30:00.123456Z".
std::string format_rfc3339(UnixMicros t);
void append_rfc3339(std::string& out, UnixMicros t);

// Parses an RFC 3339 date-time ("2026-01-15T10:30:00Z", "...00.5+02:00"), with
// 'T'/'t' and 'Z'/'z'. Fractions beyond microseconds are truncated. Returns
// nullopt for anything else, including times outside 1970-9999 UTC and leap
// seconds.
std::optional<UnixMicros> parse_rfc3339(std::string_view text);

// The UTC day number (days since 1970-01-01) that contains t.
constexpr std::int64_t utc_day(UnixMicros t) {
  return t >= 0 ? t / kMicrosPerDay : (t - kMicrosPerDay + 1) / kMicrosPerDay;
}

}  // namespace agentsudo
