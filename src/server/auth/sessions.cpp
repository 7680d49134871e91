#include "server/auth/sessions.hpp"

#include <algorithm>

#include "server/auth/secret.hpp"

namespace agentsudo::server {
namespace {

constexpr std::string_view kSessionTokenPrefix = "ass_";
constexpr std::string_view kCsrfTokenPrefix = "csrf_";
// Longer than any token we mint; bounds the work an attacker can make us hash.
constexpr std::size_t kMaxTokenLength = 128;
// Slides are written at most once a minute per session (less for a short TTL),
// not on every request.
constexpr UnixMicros kSlideGranularity = 60'000'000;

UnixMicros micros(std::chrono::seconds duration) {
  return std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
}

Error session_ended() {
  return make_error(ErrorKind::kUnauthorized, "the session has expired or ended: log in again");
}

}  // namespace

Sessions::Sessions(AccountStore& accounts, const Clock& clock, std::chrono::seconds ttl)
    : accounts_(accounts), clock_(clock), ttl_(ttl) {}

Result<StartedSession> Sessions::start(const User& user) {
  IssuedSecret token = issue_secret(kSessionTokenPrefix);
  StartedSession session{std::move(token.plaintext), issue_secret(kCsrfTokenPrefix).plaintext,
                         clock_.now() + micros(ttl_)};
  RETURN_IF_ERROR(accounts_.add_session(token.digest, user.rowid, session.csrf_token,
                                        session.expires_at, clock_.now()));
  return session;
}

Result<SessionRecord> Sessions::resume(std::string_view token) {
  if (!token.starts_with(kSessionTokenPrefix) || token.size() > kMaxTokenLength)
    return session_ended();
  SecretDigest digest = digest_secret(token);
  UnixMicros now = clock_.now();
  auto session = accounts_.find_session(digest, now);
  if (!session)
    return session;
  UnixMicros slid = now + micros(ttl_);
  if (slid - session->expires_at >= std::min(kSlideGranularity, micros(ttl_) / 12)) {
    auto extended = accounts_.extend_session(digest, slid);
    // On a full disk the session keeps its old expiry, so reads keep working.
    if (extended)
      session->expires_at = slid;
    else if (extended.error().kind != ErrorKind::kStorageFull)
      return extended.error();
  }
  return session;
}

Status Sessions::end(std::string_view token) {
  if (!token.starts_with(kSessionTokenPrefix) || token.size() > kMaxTokenLength)
    return {};
  return accounts_.delete_session(digest_secret(token));
}

}  // namespace agentsudo::server
