#include <gtest/gtest.h>

#include <agentsudo/agentsudo.hpp>
#include <future>
#include <thread>

#include "sdk/event_clock.hpp"

namespace agentsudo {
namespace {

Agent support_bot() {
  return Agent("SupportBot", {"read:orders", "write:refunds*"});
}

TEST(Agent, HasDefaultsOfTheOriginal) {
  Agent agent = support_bot();
  EXPECT_EQ(agent.name(), "SupportBot");
  EXPECT_EQ(agent.role(), "worker");
  EXPECT_EQ(agent.session_ttl(), std::chrono::seconds(3600));
  EXPECT_EQ(agent.scopes(), (std::vector<std::string>{"read:orders", "write:refunds*"}));
  EXPECT_EQ(agent.guardrails(), nullptr);
}

TEST(Agent, ChecksScopesLiterallyAndByPattern) {
  Agent agent = support_bot();
  EXPECT_TRUE(agent.has_scope("read:orders"));
  EXPECT_TRUE(agent.has_scope("write:refunds_partial"));
  EXPECT_FALSE(agent.has_scope("read:*"));
  EXPECT_FALSE(agent.has_scope("delete:orders"));
}

TEST(Agent, RejectsNamesTheServerWouldRefuse) {
  EXPECT_THROW(Agent("", {}), ConfigurationError);
  EXPECT_THROW(Agent(std::string(201, 'a'), {}), ConfigurationError);
  EXPECT_THROW(Agent("bad\nname", {}), ConfigurationError);
  EXPECT_THROW(Agent("bad\xff", {}), ConfigurationError);
  EXPECT_NO_THROW(Agent(std::string(200, 'a'), {}));
  EXPECT_NO_THROW(
      Agent("Caf\xc3\xa9"
            "Bot",
            {}));
  EXPECT_THROW(Agent(AgentOptions{.name = "x", .session_ttl = std::chrono::seconds(0)}),
               ConfigurationError);
}

TEST(Session, MakesTheAgentCurrentUntilDestroyed) {
  EXPECT_EQ(current_agent(), nullptr);
  {
    auto session = support_bot().start_session();
    ASSERT_NE(current_agent(), nullptr);
    EXPECT_EQ(current_agent()->name(), "SupportBot");
    EXPECT_EQ(session.id().size(), 16U);
    EXPECT_FALSE(session.expired());
  }
  EXPECT_EQ(current_agent(), nullptr);
}

TEST(Session, NestedSessionsRestoreThePreviousAgent) {
  Agent outer("Outer", {"a"});
  Agent inner("Inner", {"b"});
  auto outer_session = outer.start_session();
  {
    auto inner_session = inner.start_session();
    EXPECT_EQ(current_agent()->name(), "Inner");
    EXPECT_NE(inner_session.id(), outer_session.id());
  }
  EXPECT_EQ(current_agent()->name(), "Outer");
}

TEST(Session, IsPerThread) {
  auto session = support_bot().start_session();
  std::thread([] { EXPECT_EQ(current_agent(), nullptr); }).join();
}

// Moves the SDK's clock forward for one test, and back when the test ends.
class TestClock {
 public:
  TestClock() = default;
  TestClock(const TestClock&) = delete;
  TestClock& operator=(const TestClock&) = delete;
  ~TestClock() { EventClock::set_offset_for_testing({}); }

  void advance(std::chrono::nanoseconds by) {
    offset_ += by;
    EventClock::set_offset_for_testing(offset_);
  }

 private:
  std::chrono::nanoseconds offset_{0};
};

TEST(Session, ExpiresAfterTheAgentsTtl) {
  TestClock clock;
  Agent agent(
      AgentOptions{.name = "Brief", .scopes = {"read:x"}, .session_ttl = std::chrono::hours(1)});
  auto session = agent.start_session();
  EXPECT_TRUE(check("read:x").allowed);
  // One second short of the TTL (the real clock moves too, but not by that).
  clock.advance(std::chrono::hours(1) - std::chrono::seconds(1));
  EXPECT_FALSE(session.expired());
  EXPECT_TRUE(check("read:x").allowed);
  clock.advance(std::chrono::seconds(1));
  EXPECT_TRUE(session.expired());
  Decision decision = check("read:x");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, DenialReason::kSessionExpired);
  EXPECT_THROW(sudo("read:x", [] {})(), PermissionDenied);
}

TEST(SessionContext, CarriesTheSessionToAnotherThread) {
  auto session = support_bot().start_session();
  SessionContext context = SessionContext::current();
  std::thread([context] {
    EXPECT_EQ(current_agent(), nullptr);
    {
      auto activation = context.activate();
      ASSERT_NE(current_agent(), nullptr);
      EXPECT_EQ(current_agent()->name(), "SupportBot");
      EXPECT_TRUE(check("read:orders").allowed);
    }
    EXPECT_EQ(current_agent(), nullptr);
  }).join();
}

TEST(SessionContext, EmptyContextHidesTheOuterSession) {
  auto session = support_bot().start_session();
  {
    auto activation = SessionContext().activate();
    EXPECT_EQ(current_agent(), nullptr);
    EXPECT_EQ(check("read:orders").reason, DenialReason::kNoSession);
  }
  EXPECT_NE(current_agent(), nullptr);
}

TEST(BindSession, RunsTheTaskAsTheCapturingSession) {
  auto task = [](int order_id) {
    const Agent* agent = current_agent();
    return (agent != nullptr ? agent->name() : std::string("none")) + ":" +
           std::to_string(order_id);
  };
  std::function<std::string(int)> bound;
  {
    auto session = support_bot().start_session();
    bound = bind_session(task);
  }
  // The session object is gone, but the task still runs as its agent.
  auto result = std::async(std::launch::async, bound, 42);
  EXPECT_EQ(result.get(), "SupportBot:42");
  EXPECT_EQ(current_agent(), nullptr);
}

}  // namespace
}  // namespace agentsudo
