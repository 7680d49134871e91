#include "core/timestamp.hpp"

#include <chrono>
#include <cstdio>

namespace agentsudo {
namespace {

namespace chr = std::chrono;

// 9999-12-31T23:59:59Z: an offset must not carry a time past the range.
constexpr std::int64_t kLastSecondOf9999 = 253'402'300'799;

// Reads exactly `width` decimal digits at `pos`; advances `pos` on success.
bool read_digits(std::string_view s, std::size_t& pos, int width, int& out) {
  if (pos + static_cast<std::size_t>(width) > s.size())
    return false;
  int value = 0;
  for (int i = 0; i < width; ++i) {
    char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(width);
  out = value;
  return true;
}

bool expect_char(std::string_view s, std::size_t& pos, char a, char b = '\0') {
  if (pos >= s.size() || (s[pos] != a && (b == '\0' || s[pos] != b)))
    return false;
  ++pos;
  return true;
}

// Parses ".ffffff..." into microseconds, truncating digits past the sixth.
bool read_fraction(std::string_view s, std::size_t& pos, UnixMicros& micros) {
  micros = 0;
  if (pos >= s.size() || s[pos] != '.')
    return true;
  ++pos;
  std::size_t start = pos;
  UnixMicros scale = 100'000;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    micros += (s[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  return pos > start;
}

// Parses "Z" or "+HH:MM"/"-HH:MM" into an offset east of UTC, in seconds.
bool read_offset(std::string_view s, std::size_t& pos, int& offset_seconds) {
  if (expect_char(s, pos, 'Z', 'z')) {
    offset_seconds = 0;
    return true;
  }
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-'))
    return false;
  int sign = s[pos] == '-' ? -1 : 1;
  ++pos;
  int hours = 0, minutes = 0;
  if (!read_digits(s, pos, 2, hours) || !expect_char(s, pos, ':') ||
      !read_digits(s, pos, 2, minutes) || hours > 23 || minutes > 59) {
    return false;
  }
  offset_seconds = sign * (hours * 3600 + minutes * 60);
  return true;
}

}  // namespace

void append_rfc3339(std::string& out, UnixMicros t) {
  auto tp = chr::sys_time<chr::microseconds>(chr::microseconds(t));
  auto day = chr::floor<chr::days>(tp);
  chr::year_month_day ymd(day);
  chr::hh_mm_ss hms(tp - day);
  // Digits written by hand: this runs for every event served or sent, and
  // snprintf's format parsing was a visible part of that.
  char buf[] = "0000-00-00T00:00:00.000000Z";
  auto put = [&buf](std::size_t end, long long value, int digits) {
    for (int i = 0; i < digits; ++i, value /= 10)
      buf[end - static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(3, static_cast<int>(ymd.year()), 4);
  put(6, static_cast<unsigned>(ymd.month()), 2);
  put(9, static_cast<unsigned>(ymd.day()), 2);
  put(12, hms.hours().count(), 2);
  put(15, hms.minutes().count(), 2);
  put(18, hms.seconds().count(), 2);
  put(25, hms.subseconds().count(), 6);
  out.append(buf, sizeof buf - 1);
}

std::string format_rfc3339(UnixMicros t) {
  std::string out;
  append_rfc3339(out, t);
  return out;
}

std::optional<UnixMicros> parse_rfc3339(std::string_view s) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offset = 0;
  UnixMicros fraction = 0;
  bool shaped =
      read_digits(s, pos, 4, year) && expect_char(s, pos, '-') && read_digits(s, pos, 2, month) &&
      expect_char(s, pos, '-') && read_digits(s, pos, 2, day) && expect_char(s, pos, 'T', 't') &&
      read_digits(s, pos, 2, hour) && expect_char(s, pos, ':') && read_digits(s, pos, 2, minute) &&
      expect_char(s, pos, ':') && read_digits(s, pos, 2, second) &&
      read_fraction(s, pos, fraction) && read_offset(s, pos, offset) && pos == s.size();
  if (!shaped || year < 1970 || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  chr::year_month_day ymd{chr::year(year), chr::month(static_cast<unsigned>(month)),
                          chr::day(static_cast<unsigned>(day))};
  if (!ymd.ok())
    return std::nullopt;
  auto days = chr::sys_days(ymd).time_since_epoch().count();
  UnixMicros seconds = days * 86'400LL + hour * 3600 + minute * 60 + second - offset;
  if (seconds < 0 || seconds > kLastSecondOf9999)
    return std::nullopt;
  return seconds * kMicrosPerSecond + fraction;
}

}  // namespace agentsudo
