#include "server/auth/access_control.hpp"

#include <gtest/gtest.h>

#include "server/service/key_service.hpp"
#include "server/service/project_service.hpp"
#include "server/service/token_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

class AccessControlTest : public testing::Test {
 protected:
  void SetUp() override {
    auto admin = store_->accounts->create_user(NewUser{"admin@example.com", "h", false, false});
    auto member = store_->accounts->create_user(NewUser{"member@example.com", "h", false, false});
    ASSERT_TRUE(admin.ok() && member.ok());
    member_ = *member;
    auto project = ProjectService(*store_->projects).create("p1", Tier{"free", 1000});
    auto other = ProjectService(*store_->projects).create("p2", Tier{"free", 1000});
    ASSERT_TRUE(project.ok() && other.ok());
    project_ = project->project;
    other_ = other->project;
    api_key_ = project->key.plaintext;
    ASSERT_TRUE(store_->accounts->add_member(project_.rowid, member_.rowid));
    auto token = TokenService(*store_->projects, clock_).create({});
    ASSERT_TRUE(token.ok());
    operator_token_ = "Bearer " + token->plaintext;
    auto session = sessions_.start(member_);
    ASSERT_TRUE(session.ok());
    session_ = *session;
  }

  PresentedCredentials with_cookie(bool changes_state, std::string_view csrf) const {
    PresentedCredentials credentials;
    credentials.session_token = session_.token;
    credentials.csrf_token = csrf;
    credentials.changes_state = changes_state;
    return credentials;
  }

  TempStore store_;
  ManualClock clock_{1'800'000'000'000'000};
  Sessions sessions_{*store_->accounts, clock_};
  AccessControl access_{*store_->projects, *store_->accounts, sessions_};
  User member_;
  Project project_;
  Project other_;
  std::string api_key_;
  std::string operator_token_;
  StartedSession session_;
};

TEST_F(AccessControlTest, NoCredentialIsUnauthorized) {
  auto principal = access_.authenticate({});
  ASSERT_FALSE(principal);
  EXPECT_EQ(principal.error().kind, ErrorKind::kUnauthorized);
}

TEST_F(AccessControlTest, IngestKeysAreForbiddenHoweverSent) {
  PresentedCredentials header;
  header.api_key = api_key_;
  PresentedCredentials bearer;
  std::string authorization = "Bearer " + api_key_;
  bearer.authorization = authorization;
  for (const auto& credentials : {header, bearer}) {
    auto principal = access_.authenticate(credentials);
    ASSERT_FALSE(principal);
    EXPECT_EQ(principal.error().kind, ErrorKind::kForbidden);
  }
}

TEST_F(AccessControlTest, OperatorSeesEveryProjectWithoutCsrf) {
  PresentedCredentials credentials;
  credentials.authorization = operator_token_;
  credentials.changes_state = true;
  auto principal = access_.authenticate(credentials);
  ASSERT_TRUE(principal.ok()) << principal.error().message;
  EXPECT_TRUE(principal->is_operator());
  EXPECT_TRUE(access_.visible_project(*principal, other_.id).ok());
  EXPECT_EQ(access_.visible_projects(*principal)->size(), 2U);
  EXPECT_TRUE(access_.require_admin(*principal));
}

TEST_F(AccessControlTest, UnknownOperatorTokenIsUnauthorized) {
  PresentedCredentials credentials;
  credentials.authorization = "Bearer asm_not_a_real_token";
  EXPECT_EQ(access_.authenticate(credentials).error().kind, ErrorKind::kUnauthorized);
}

TEST_F(AccessControlTest, SessionReadsWithoutCsrfButChangesNeedIt) {
  EXPECT_TRUE(access_.authenticate(with_cookie(false, "")).ok());
  EXPECT_EQ(access_.authenticate(with_cookie(true, "")).error().kind, ErrorKind::kCsrfFailed);
  EXPECT_EQ(access_.authenticate(with_cookie(true, "csrf_wrong")).error().kind,
            ErrorKind::kCsrfFailed);
  auto principal = access_.authenticate(with_cookie(true, session_.csrf_token));
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->user->id, member_.id);
  EXPECT_FALSE(principal->is_admin());
}

TEST_F(AccessControlTest, MembersSeeOnlyTheirProjectsAndOthersLookMissing) {
  auto principal = access_.authenticate(with_cookie(false, ""));
  ASSERT_TRUE(principal.ok());
  EXPECT_TRUE(access_.visible_project(*principal, project_.id).ok());
  auto hidden = access_.visible_project(*principal, other_.id);
  auto missing = access_.visible_project(*principal, "01234567-89ab-7def-8123-456789abcdef");
  ASSERT_FALSE(hidden);
  ASSERT_FALSE(missing);
  EXPECT_EQ(hidden.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(access_.visible_project(*principal, "not-a-uuid").error().kind, ErrorKind::kNotFound);
  auto listed = access_.visible_projects(*principal);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ((*listed)[0].id, project_.id);
  EXPECT_EQ(access_.require_admin(*principal).error().kind, ErrorKind::kForbidden);
}

TEST_F(AccessControlTest, BearerWinsOverCookie) {
  auto credentials = with_cookie(true, "");
  credentials.authorization = operator_token_;
  auto principal = access_.authenticate(credentials);
  ASSERT_TRUE(principal.ok());
  EXPECT_TRUE(principal->is_operator());
}

}  // namespace
}  // namespace agentsudo::server

namespace agentsudo::server {
namespace {

TEST_F(AccessControlTest, SubjectsTellCallersApart) {
  PresentedCredentials credentials;
  credentials.authorization = operator_token_;
  auto first = access_.authenticate(credentials);
  auto token = TokenService(*store_->projects, clock_).create({});
  ASSERT_TRUE(token.ok());
  std::string other = "Bearer " + token->plaintext;
  credentials.authorization = other;
  auto second = access_.authenticate(credentials);
  auto person = access_.authenticate(with_cookie(false, ""));
  ASSERT_TRUE(first.ok() && second.ok() && person.ok());
  EXPECT_TRUE(first->subject.starts_with("token:"));
  EXPECT_NE(first->subject, second->subject);
  EXPECT_EQ(person->subject, "user:" + member_.id);
  EXPECT_EQ(first->subject.find(operator_token_.substr(7)), std::string::npos);
}

TEST_F(AccessControlTest, TiersAreAnAdminsDecision) {
  auto member = access_.authenticate(with_cookie(true, session_.csrf_token));
  ASSERT_TRUE(member.ok());
  const Tier free_tier{"free", kFreeDailyQuota}, pro{"pro", kProDailyQuota}, custom{"custom", 5};
  EXPECT_TRUE(access_.authorize_new_project(*member, free_tier));
  for (const Tier& tier : {pro, custom}) {
    auto refused = access_.authorize_new_project(*member, tier);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::kForbidden);
    EXPECT_EQ(refused.error().field, "tier");
  }
  EXPECT_TRUE(
      access_.authorize_project_change(*member, ProjectChanges{"renamed", std::nullopt, {}}));
  auto retier =
      access_.authorize_project_change(*member, ProjectChanges{std::nullopt, free_tier, {}});
  ASSERT_FALSE(retier);
  EXPECT_EQ(retier.error().kind, ErrorKind::kForbidden);

  PresentedCredentials credentials;
  credentials.authorization = operator_token_;
  auto operator_principal = access_.authenticate(credentials);
  ASSERT_TRUE(operator_principal.ok());
  EXPECT_TRUE(access_.authorize_new_project(*operator_principal, pro));
  EXPECT_TRUE(
      access_.authorize_project_change(*operator_principal, ProjectChanges{{}, custom, {}}));
}

}  // namespace
}  // namespace agentsudo::server
