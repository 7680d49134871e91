#include "server/cli/descriptor_limit.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server::cli {
namespace {

TEST(DefaultMaxConnectionsTest, LeavesTheHeldDescriptorsAndAReserve) {
  std::size_t cap = default_max_connections(4096, 40, 2);
  EXPECT_LT(cap, 4096u - 40u) << "a reserve beyond what is held now";
  EXPECT_GT(cap, 4096u - 200u) << "the reserve stays small";
}

TEST(DefaultMaxConnectionsTest, GrowsWithTheLimit) {
  EXPECT_EQ(default_max_connections(8192, 40, 2) - default_max_connections(4096, 40, 2), 4096u);
}

TEST(DefaultMaxConnectionsTest, NeverBelowTheFewest) {
  EXPECT_EQ(default_max_connections(64, 60, 2), kFewestConnections);
  EXPECT_EQ(default_max_connections(0, 0, 1), kFewestConnections);
}

TEST(DescriptorsInUseTest, CountsThisProcesssOpenDescriptors) {
  EXPECT_GE(descriptors_in_use(), 3u) << "at least stdin, stdout and stderr";
}

}  // namespace
}  // namespace agentsudo::server::cli
