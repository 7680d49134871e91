// EventsHandler::list called directly: who may read a project's events, which
// parameters it refuses by name, and paging by cursor through the handler.

#include "server/api/events_handler.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "handler_fixture.hpp"

namespace agentsudo::server::api {
namespace {

class EventsHandlerTest : public HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    cursor_key_.fill(7);
  }

  std::string events_path(std::string_view query = "") const {
    return "/api/v1/projects/" + project_.id + "/events" + std::string(query);
  }

  Result<http::Response> list(Caller caller, std::string_view query = "") {
    return handler_.list(request(caller, http::Verb::get, events_path(query)), project_.id);
  }

  // Stores events with the names given, oldest first, in one batch.
  void store_events(const std::vector<std::string>& ids) {
    EventBatch batch;
    batch.project_rowid = project_.rowid;
    batch.received_at = clock_.now();
    for (const auto& id : ids) {
      Event event;
      event.agent_name = "SupportBot";
      event.action = "permission_check";
      event.allowed = true;
      batch.events.push_back(event);
      batch.event_ids.push_back(id);
    }
    std::vector<EventBatch*> batches{&batch};
    std::vector<CommittedBatch> committed(1);
    ASSERT_TRUE(store_->events->append(batches, committed).ok());
  }

  static std::vector<std::string> ids_in(const boost::json::value& page) {
    std::vector<std::string> ids;
    for (const auto& event : page.at("events").as_array())
      ids.emplace_back(event.at("id").as_string());
    return ids;
  }

  std::array<unsigned char, CursorCodec::kKeyBytes> cursor_key_{};
  CursorCodec cursors_{cursor_key_};
  EventsHandler handler_{access_, *store_->events, cursors_};
};

TEST_F(EventsHandlerTest, RefusesABadParameterByName) {
  struct Row {
    const char* query;
    const char* field;
  };
  const Row rows[] = {
      {"?limit=0", "limit"},
      {"?limit=ten", "limit"},
      {"?allowed=maybe", "allowed"},
      {"?since=yesterday", "since"},
      {"?until=2026-13-01T00:00:00Z", "until"},
      {"?colour=red", "colour"},
      {"?format=csv", "format"},  // an export parameter, not a list one
      {"?cursor=not-one-we-issued", "cursor"},
  };
  for (const auto& row : rows) {
    auto answer = list(Caller::kMember, row.query);
    ASSERT_FALSE(answer) << row.query;
    EXPECT_EQ(answer.error().kind, ErrorKind::kInvalidParameter) << row.query;
    EXPECT_EQ(answer.error().field, row.field) << row.query;
    EXPECT_EQ(status_of(answer), 400U) << row.query;
  }
}

TEST_F(EventsHandlerTest, WhoMayRead) {
  store_events({"e1"});
  struct Row {
    Caller caller;
    unsigned status;
  };
  const Row rows[] = {
      {Caller::kNobody, 401},   {Caller::kIngestKey, 403},
      {Caller::kOutsider, 404}, {Caller::kAdmin, 404},  // being an admin does not make one a member
      {Caller::kMember, 200},   {Caller::kOperator, 200},
  };
  for (const auto& row : rows) {
    auto answer = list(row.caller);
    EXPECT_EQ(status_of(answer), row.status) << to_string(row.caller);
    if (answer) {
      EXPECT_EQ(ids_in(body_of(*answer)), std::vector<std::string>{"e1"}) << to_string(row.caller);
    }
  }
}

TEST_F(EventsHandlerTest, IngestKeyIsRefusedAsBearerToo) {
  auto sent = request(Caller::kNobody, http::Verb::get, events_path());
  sent.set(http::Field::authorization, "Bearer " + api_key_);
  auto answer = handler_.list(sent, project_.id);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::kForbidden);
}

TEST_F(EventsHandlerTest, AMissingProjectLooksLikeAHiddenOne) {
  for (std::string_view id : {"01234567-89ab-7def-8123-456789abcdef", "not-a-uuid"}) {
    auto answer = handler_.list(request(Caller::kOperator, http::Verb::get, events_path()), id);
    ASSERT_FALSE(answer) << id;
    EXPECT_EQ(answer.error().kind, ErrorKind::kNotFound) << id;
  }
}

TEST_F(EventsHandlerTest, PagesNewestFirstByCursor) {
  store_events({"e1", "e2", "e3"});
  auto first = list(Caller::kMember, "?limit=2");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->result_int(), 200U);
  EXPECT_EQ((*first)[http::Field::content_type], "application/json");
  EXPECT_EQ((*first)[http::Field::cache_control], "no-store");
  auto page = body_of(*first);
  EXPECT_EQ(ids_in(page), (std::vector<std::string>{"e3", "e2"}));
  ASSERT_TRUE(page.at("next_cursor").is_string());
  std::string cursor(page.at("next_cursor").as_string());

  auto second = list(Caller::kMember, "?limit=2&cursor=" + cursor);
  ASSERT_TRUE(second.ok()) << second.error().message;
  auto rest = body_of(*second);
  EXPECT_EQ(ids_in(rest), std::vector<std::string>{"e1"});
  EXPECT_TRUE(rest.at("next_cursor").is_null());

  // The cursor is bound to its filters: under another filter it does not decode.
  auto other_filters = list(Caller::kMember, "?limit=2&agent_name=x&cursor=" + cursor);
  ASSERT_FALSE(other_filters);
  EXPECT_EQ(other_filters.error().field, "cursor");
}

}  // namespace
}  // namespace agentsudo::server::api
