// The verifier on chains built here: clean, and each kind of tampering named
// at the first event it touches.

#include "server/audit/chain_verifier.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace agentsudo::server::audit {
namespace {

struct StoredLink {
  std::string id;
  std::int64_t position;
  std::int64_t seq;
  std::string metadata;
  ChainHash hash;
};

ChainedEvent as_event(const StoredLink& link) {
  ChainedEvent event;
  event.project_id = "project";
  event.position = link.position;
  event.seq = link.seq;
  event.event_id = link.id;
  event.agent_id = "agent";
  event.agent_name = "bot";
  event.action = "call";
  event.allowed = true;
  event.metadata_json = link.metadata;
  event.timestamp = 1000 + link.seq;
  event.received_at = 2000 + link.seq;
  return event;
}

class ChainVerifierTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    key_file_ = std::filesystem::temp_directory_path() /
                ("agentsudo-chain-key-" + std::to_string(::getpid()));
    std::filesystem::remove(key_file_);
    auto key = SigningKey::load_or_create(key_file_);
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<SigningKey>(*key);
    ChainHash previous = kGenesisHash;
    for (int i = 1; i <= 10; ++i) {
      StoredLink link{"e" + std::to_string(i), i, 100 + 2 * i, "{}", {}};
      std::string encoding;
      append_canonical_event(as_event(link), encoding);
      link.hash = previous = next_chain_hash(previous, encoding);
      links_.push_back(link);
    }
  }
  void TearDown() override { std::filesystem::remove(key_file_); }

  Checkpoint checkpoint_at(std::size_t index) {
    Checkpoint checkpoint{
        "project", links_[index].position, links_[index].seq, links_[index].hash, 5000, {}};
    return sign_checkpoint(checkpoint, *key_);
  }

  ChainReport verify(const std::vector<Checkpoint>& checkpoints,
                     std::optional<ChainHead> head = std::nullopt) {
    ChainVerifier verifier("project", key_->public_key(), checkpoints);
    for (const auto& link : links_)
      verifier.add(as_event(link), link.hash);
    return verifier.finish(head);
  }

  ChainHead head_of(std::size_t index) {
    return {links_[index].position, links_[index].seq, links_[index].hash};
  }

  std::filesystem::path key_file_;
  std::unique_ptr<SigningKey> key_;
  std::vector<StoredLink> links_;
};

TEST_F(ChainVerifierTest, AnUntouchedChainVerifiesWithItsCheckpoints) {
  auto report = verify({checkpoint_at(4), checkpoint_at(9)}, head_of(9));
  ASSERT_TRUE(report.clean()) << report.fault->detail;
  EXPECT_EQ(report.events_checked, 10);
  EXPECT_EQ(report.checkpoints_checked, 2);
  EXPECT_EQ(report.last_seq, links_[9].seq);
}

TEST_F(ChainVerifierTest, AChangedFieldIsAHashMismatchAtThatEvent) {
  links_[3].metadata = R"({"x":1})";
  auto report = verify({checkpoint_at(9)});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kHashMismatch);
  EXPECT_EQ(report.fault->seq, links_[3].seq);
  EXPECT_EQ(report.fault->event_id, "e4");
}

TEST_F(ChainVerifierTest, ADeletedEventIsMissingBeforeTheNextOne) {
  links_.erase(links_.begin() + 5);
  auto report = verify({});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kMissing);
  EXPECT_EQ(report.fault->event_id, "e7");
  EXPECT_EQ(report.fault->position, 6);
}

TEST_F(ChainVerifierTest, TwoEventsWithSwappedSeqsAreReordered) {
  std::swap(links_[2].seq, links_[3].seq);
  std::swap(links_[2], links_[3]);  // the walk goes by seq
  auto report = verify({});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kReordered);
  EXPECT_EQ(report.fault->event_id, "e4");
}

TEST_F(ChainVerifierTest, ARecomputedChainStillFailsItsSignedCheckpoint) {
  auto checkpoint = checkpoint_at(9);
  links_[2].metadata = R"({"forged":true})";
  ChainHash previous = kGenesisHash;
  for (auto& link : links_) {
    std::string encoding;
    append_canonical_event(as_event(link), encoding);
    link.hash = previous = next_chain_hash(previous, encoding);
  }
  auto report = verify({checkpoint});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kCheckpointMismatch);
}

TEST_F(ChainVerifierTest, AForgedCheckpointHasABadSignature) {
  auto forged = checkpoint_at(4);
  forged.signed_at += 1;
  auto report = verify({forged});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kBadSignature);
  EXPECT_EQ(report.fault->seq, links_[4].seq);
}

TEST_F(ChainVerifierTest, ALostTailIsMissingAgainstTheHead) {
  auto head = head_of(9);
  links_.resize(7);
  auto report = verify({checkpoint_at(4)}, head);
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kMissing);
  EXPECT_EQ(report.fault->position, 8);
}

TEST_F(ChainVerifierTest, ALostTailIsMissingAgainstALaterCheckpoint) {
  auto late = checkpoint_at(9);
  links_.resize(7);
  auto report = verify({late});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kMissing);
}

TEST_F(ChainVerifierTest, EventsBeforeTheChainAreCountedNotFaulted) {
  ChainVerifier verifier("project", key_->public_key(), {});
  StoredLink legacy{"old", 0, 1, "{}", {}};
  verifier.add(as_event(legacy), std::nullopt);
  for (const auto& link : links_)
    verifier.add(as_event(link), link.hash);
  auto report = verifier.finish(std::nullopt);
  EXPECT_TRUE(report.clean());
  EXPECT_EQ(report.events_before_chain, 1);
}

TEST_F(ChainVerifierTest, AnUnhashedEventAfterTheChainBeganIsNamed) {
  ChainVerifier verifier("project", key_->public_key(), {});
  verifier.add(as_event(links_[0]), links_[0].hash);
  StoredLink inserted{"inserted", 0, 103, "{}", {}};
  verifier.add(as_event(inserted), std::nullopt);
  auto report = verifier.finish(std::nullopt);
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kUnchained);
  EXPECT_EQ(report.fault->event_id, "inserted");
}

TEST_F(ChainVerifierTest, TheKeyFileIsPrivateAndLoadsTheSameKey) {
  auto status = std::filesystem::status(key_file_);
  EXPECT_EQ(status.permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto again = SigningKey::load_or_create(key_file_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), key_->public_key());
}

// Retention removed positions 1 to 4: the walk starts from the horizon's
// link, and a checkpoint below it is held to its signature only.
class ChainVerifierAfterRetentionTest : public ChainVerifierTest {
 protected:
  ChainReport verify_after(const ChainHead& horizon, const std::vector<Checkpoint>& checkpoints,
                           std::size_t first_kept = 4) {
    ChainVerifier verifier("project", key_->public_key(), checkpoints);
    verifier.start_after(horizon);
    for (std::size_t i = first_kept; i < links_.size(); ++i)
      verifier.add(as_event(links_[i]), links_[i].hash);
    return verifier.finish(head_of(9));
  }
};

TEST_F(ChainVerifierAfterRetentionTest, TheRestVerifiesAndTheRemovedPositionsAreReported) {
  auto report = verify_after(head_of(3), {checkpoint_at(1), checkpoint_at(3), checkpoint_at(9)});
  ASSERT_TRUE(report.clean()) << report.fault->detail;
  EXPECT_EQ(report.positions_removed_by_retention, 4);
  EXPECT_EQ(report.events_checked, 6);
  EXPECT_EQ(report.checkpoints_checked, 3);
}

TEST_F(ChainVerifierAfterRetentionTest, EventsACutShortPassLeftArePassedOver) {
  auto report = verify_after(head_of(3), {checkpoint_at(9)}, 2);
  ASSERT_TRUE(report.clean()) << report.fault->detail;
  EXPECT_EQ(report.events_checked, 6);
}

TEST_F(ChainVerifierAfterRetentionTest, AWrongHorizonLinkFailsAtTheFirstKeptEvent) {
  ChainHead horizon = head_of(3);
  horizon.hash = links_[2].hash;
  auto report = verify_after(horizon, {});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kHashMismatch);
  EXPECT_EQ(report.fault->event_id, "e5");
}

TEST_F(ChainVerifierAfterRetentionTest, ACheckpointAtTheHorizonMustMatchIt) {
  ChainHead horizon = head_of(3);
  horizon.hash = links_[2].hash;
  auto report = verify_after(horizon, {checkpoint_at(3)});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kCheckpointMismatch);
  EXPECT_EQ(report.fault->position, 4);
}

TEST_F(ChainVerifierAfterRetentionTest, AnUnsignedCheckpointBelowTheHorizonIsNamed) {
  Checkpoint forged = checkpoint_at(1);
  forged.seq += 1;
  auto report = verify_after(head_of(3), {forged});
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, FaultKind::kBadSignature);
}

}  // namespace
}  // namespace agentsudo::server::audit
