// parse_event_filters: the query of the read API and the export, the
// parameters it refuses, and the fingerprint a cursor is bound to.

#include "server/api/event_filters.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <ostream>
#include <string>

#include "server/api/cursor.hpp"
#include "server/api/events_handler.hpp"

namespace agentsudo::server::api {
namespace {

constexpr std::string_view kPath = "/api/v1/projects/p/events";

Result<EventFilters> list(const std::string& query) {
  return parse_event_filters(std::string(kPath) + query, FilterRoute::kList);
}

Result<EventFilters> export_query(const std::string& query) {
  return parse_event_filters(std::string(kPath) + query, FilterRoute::kExport);
}

TEST(EventFiltersTest, NoQueryMeansNoFilterAndTheDefaultLimit) {
  for (const std::string query : {"", "?", "?&&"}) {
    auto filters = list(query);
    ASSERT_TRUE(filters.ok()) << query << ": " << filters.error().message;
    const EventQuery& q = filters->query;
    EXPECT_FALSE(q.agent_name || q.scope || q.action || q.function_name) << query;
    EXPECT_FALSE(q.allowed || q.since || q.until || q.before_seq) << query;
    EXPECT_EQ(q.limit, EventsHandler::kDefaultLimit) << query;
    EXPECT_FALSE(filters->cursor);
    EXPECT_FALSE(filters->format);
    EXPECT_TRUE(filters->fingerprint.empty()) << query;
  }
}

TEST(EventFiltersTest, EveryFilterReachesTheQuery) {
  auto filters = list(
      "?agent_name=SupportBot&scope=read:orders&action=permission_check&function_name=get_order"
      "&allowed=false&since=2026-01-15T10:30:00Z&until=2026-01-16T00:00:00.5%2B02:00"
      "&limit=7&cursor=abc");
  ASSERT_TRUE(filters.ok()) << filters.error().message;
  const EventQuery& q = filters->query;
  EXPECT_EQ(q.agent_name, "SupportBot");
  EXPECT_EQ(q.scope, "read:orders");
  EXPECT_EQ(q.action, "permission_check");
  EXPECT_EQ(q.function_name, "get_order");
  EXPECT_EQ(q.allowed, false);
  EXPECT_EQ(q.since, parse_rfc3339("2026-01-15T10:30:00Z"));
  EXPECT_EQ(q.until, parse_rfc3339("2026-01-16T00:00:00.5+02:00"));
  EXPECT_EQ(q.limit, 7u);
  EXPECT_EQ(filters->cursor, "abc");
  EXPECT_FALSE(q.before_seq);  // the caller decodes the cursor, bound to its project
}

TEST(EventFiltersTest, ValuesArePercentDecoded) {
  auto filters = list("?agent_name=Support%20Bot&scope=read%3Aorders&allowed=true");
  ASSERT_TRUE(filters.ok()) << filters.error().message;
  EXPECT_EQ(filters->query.agent_name, "Support Bot");
  EXPECT_EQ(filters->query.scope, "read:orders");
  EXPECT_EQ(filters->query.allowed, true);
}

// The dashboard builds its queries with URLSearchParams, which writes a space as '+'.
TEST(EventFiltersTest, PlusIsASpaceAsFormsEncodeIt) {
  auto filters = list("?agent_name=Support+Bot");
  ASSERT_TRUE(filters.ok()) << filters.error().message;
  EXPECT_EQ(filters->query.agent_name, "Support Bot");
}

TEST(EventFiltersTest, ExportTakesAFormat) {
  for (const std::string format : {"csv", "ndjson"}) {
    auto filters = export_query("?format=" + format + "&agent_name=a");
    ASSERT_TRUE(filters.ok()) << filters.error().message;
    EXPECT_EQ(filters->format, format);
    EXPECT_EQ(filters->query.agent_name, "a");
  }
}

struct RefusedCase {
  std::string name;
  FilterRoute route;
  std::string query;
  std::string parameter;  // the one the error must name
};

void PrintTo(const RefusedCase& c, std::ostream* out) {
  *out << c.name << ": " << c.query;
}

class EventFiltersRefuse : public testing::TestWithParam<RefusedCase> {};

TEST_P(EventFiltersRefuse, NamesTheParameter) {
  const RefusedCase& c = GetParam();
  auto filters = parse_event_filters(std::string(kPath) + c.query, c.route);
  ASSERT_FALSE(filters.ok());
  EXPECT_EQ(filters.error().kind, ErrorKind::kInvalidParameter);
  EXPECT_EQ(filters.error().field, c.parameter) << filters.error().message;
  if (!c.parameter.empty()) {
    EXPECT_NE(filters.error().message.find(c.parameter), std::string::npos)
        << filters.error().message;
  }
}

constexpr auto kList = FilterRoute::kList;
constexpr auto kExport = FilterRoute::kExport;

INSTANTIATE_TEST_SUITE_P(
    Table, EventFiltersRefuse,
    testing::Values(RefusedCase{"LimitZero", kList, "?limit=0", "limit"},
                    RefusedCase{"LimitPastTheMaximum", kList,
                                "?limit=" + std::to_string(EventsHandler::kMaxLimit + 1), "limit"},
                    RefusedCase{"LimitNegative", kList, "?limit=-1", "limit"},
                    RefusedCase{"LimitEmpty", kList, "?limit=", "limit"},
                    RefusedCase{"LimitWord", kList, "?limit=ten", "limit"},
                    RefusedCase{"LimitTrailingLetters", kList, "?limit=10x", "limit"},
                    RefusedCase{"LimitLeadingSpace", kList, "?limit=%2010", "limit"},
                    RefusedCase{"LimitExponent", kList, "?limit=1e2", "limit"},
                    RefusedCase{"LimitFraction", kList, "?limit=2.5", "limit"},
                    RefusedCase{"LimitOverflow", kList, "?limit=99999999999999999999999", "limit"},
                    RefusedCase{"AllowedUppercase", kList, "?allowed=TRUE", "allowed"},
                    RefusedCase{"AllowedNumber", kList, "?allowed=1", "allowed"},
                    RefusedCase{"AllowedEmpty", kList, "?allowed=", "allowed"},
                    RefusedCase{"SinceDateOnly", kList, "?since=2026-01-15", "since"},
                    RefusedCase{"SinceWord", kList, "?since=yesterday", "since"},
                    RefusedCase{"SinceEpochSeconds", kList, "?since=1768473000", "since"},
                    RefusedCase{"UntilNoZone", kList, "?until=2026-01-15T10:30:00", "until"},
                    RefusedCase{"UntilEmpty", kList, "?until=", "until"},
                    RefusedCase{"UnknownParameter", kList, "?agent=a", "agent"},
                    RefusedCase{"NamesAreCaseSensitive", kList, "?Agent_Name=a", "Agent_Name"},
                    RefusedCase{"FormatIsNotAListParameter", kList, "?format=csv", "format"},
                    RefusedCase{"LimitIsNotAnExportParameter", kExport, "?limit=5", "limit"},
                    RefusedCase{"CursorIsNotAnExportParameter", kExport, "?cursor=1.ab", "cursor"},
                    RefusedCase{"FormatUnknown", kExport, "?format=json", "format"},
                    RefusedCase{"FormatUppercase", kExport, "?format=CSV", "format"},
                    RefusedCase{"BadFilterAfterGoodOnes", kList,
                                "?agent_name=a&scope=s&allowed=maybe", "allowed"},
                    RefusedCase{"BadPercentEncoding", kList, "?agent_name=%zz", ""}),
    [](const testing::TestParamInfo<RefusedCase>& row) { return row.param.name; });

TEST(EventFiltersTest, LimitBoundsAreAccepted) {
  EXPECT_EQ(list("?limit=1")->query.limit, 1u);
  EXPECT_EQ(list("?limit=" + std::to_string(EventsHandler::kMaxLimit))->query.limit,
            EventsHandler::kMaxLimit);
}

std::string fingerprint(const std::string& query) {
  auto filters = list(query);
  EXPECT_TRUE(filters.ok()) << query << ": " << filters.error().message;
  return filters.ok() ? filters->fingerprint : std::string();
}

// Paging goes on with the same cursor whatever page size the client asks for.
TEST(EventFiltersTest, FingerprintIgnoresPagingParameters) {
  EXPECT_EQ(fingerprint("?agent_name=a&allowed=true"),
            fingerprint("?agent_name=a&limit=10&cursor=5.ff&allowed=true"));
}

TEST(EventFiltersTest, FingerprintDiffersForEveryFilterThatDiffers) {
  const std::string queries[] = {
      "",
      "?agent_name=a",
      "?agent_name=b",
      "?scope=a",
      "?action=a",
      "?function_name=a",
      "?allowed=true",
      "?allowed=false",
      "?since=2026-01-15T10:30:00Z",
      "?until=2026-01-15T10:30:00Z",
      "?agent_name=a&scope=b",
  };
  for (const auto& a : queries) {
    for (const auto& b : queries) {
      if (&a != &b) {
        EXPECT_NE(fingerprint(a), fingerprint(b)) << a << " vs " << b;
      }
    }
  }
}

// The header promises a canonical text: the same filters in another order
// are the same filters, and a client that rebuilds its query may reorder it.
TEST(EventFiltersTest, FingerprintDoesNotDependOnParameterOrder) {
  EXPECT_EQ(fingerprint("?agent_name=a&scope=s&allowed=true"),
            fingerprint("?allowed=true&scope=s&agent_name=a"));
}

// A value that carries the fingerprint's own separators must not pass for
// other filters, or a cursor issued for them would page this query.
TEST(EventFiltersTest, FingerprintCannotBeForgedThroughAValue) {
  EXPECT_NE(fingerprint("?agent_name=a%0Ascope%3Ds"), fingerprint("?agent_name=a&scope=s"));
  EXPECT_NE(fingerprint("?agent_name=a%0Aallowed%3Dtrue"),
            fingerprint("?agent_name=a&allowed=true"));
}

// Ties the two units together as the read API does: a cursor sealed for one
// query's fingerprint pages that query only.
TEST(EventFiltersTest, ACursorSealedForOneQueryIsRefusedForAnother) {
  std::array<unsigned char, CursorCodec::kKeyBytes> key;
  key.fill(7);
  CursorCodec cursors(key);
  std::string cursor = cursors.encode(42, "p\n" + fingerprint("?agent_name=a&allowed=false"));
  EXPECT_EQ(cursors.decode(cursor, "p\n" + fingerprint("?agent_name=a&allowed=false&limit=3")), 42);
  EXPECT_FALSE(cursors.decode(cursor, "p\n" + fingerprint("?agent_name=a&allowed=true")));
  EXPECT_FALSE(cursors.decode(cursor, "p\n" + fingerprint("?agent_name=a")));
  EXPECT_FALSE(cursors.decode(cursor, "q\n" + fingerprint("?agent_name=a&allowed=false")));
}

}  // namespace
}  // namespace agentsudo::server::api
