// GenerationFile: one counter for every mapping of the same file.
#include "server/store/sqlite/generation_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace agentsudo::server::sqlite {
namespace {

class GenerationFileTest : public testing::Test {
 protected:
  GenerationFileTest() {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~GenerationFileTest() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("agentsudo-unit-" + std::to_string(::getpid()) + "-" +
                                testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::path file_ = dir_ / "credentials.generation";
};

TEST_F(GenerationFileTest, StartsAtZeroAndCounts) {
  auto generation = GenerationFile::open(file_);
  ASSERT_TRUE(generation.ok()) << generation.error().message;
  EXPECT_EQ((*generation)->current(), 0U);
  (*generation)->advance();
  (*generation)->advance();
  EXPECT_EQ((*generation)->current(), 2U);
}

TEST_F(GenerationFileTest, EveryMappingOfTheFileSeesEveryAdvance) {
  auto server = GenerationFile::open(file_);
  auto cli = GenerationFile::open(file_);
  ASSERT_TRUE(server.ok() && cli.ok());
  (*cli)->advance();
  EXPECT_EQ((*server)->current(), 1U);
  (*server)->advance();
  EXPECT_EQ((*cli)->current(), 2U);
}

TEST_F(GenerationFileTest, KeepsTheCountWhenOpenedAgain) {
  {
    auto first = GenerationFile::open(file_);
    ASSERT_TRUE(first.ok());
    (*first)->advance();
  }
  auto again = GenerationFile::open(file_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->current(), 1U);
}

TEST_F(GenerationFileTest, SaysWhyItCannotOpen) {
  auto missing = GenerationFile::open(dir_ / "no-such-dir" / "credentials.generation");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no-such-dir"), std::string::npos);
}

}  // namespace
}  // namespace agentsudo::server::sqlite
