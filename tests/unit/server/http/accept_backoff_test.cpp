#include "server/http/accept_backoff.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server::http {
namespace {

using std::chrono::milliseconds;

TEST(AcceptBackoffTest, DoublesFromTenMillisecondsToOneSecond) {
  AcceptBackoff backoff;
  for (auto expected : {10, 20, 40, 80, 160, 320, 640, 1000, 1000})
    EXPECT_EQ(backoff.next(), milliseconds(expected));
}

TEST(AcceptBackoffTest, AnAcceptThatSucceedsStartsItOver) {
  AcceptBackoff backoff;
  backoff.next();
  backoff.next();
  backoff.reset();
  EXPECT_EQ(backoff.next(), milliseconds(10));
}

}  // namespace
}  // namespace agentsudo::server::http
