// The export's CSV: RFC 4180 quoting and the formula-injection guard.

#include "server/api/event_csv.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server::api {
namespace {

std::string cell(std::string_view text) {
  std::string out;
  append_csv_cell(text, out);
  return out;
}

TEST(EventCsv, CellsAreQuotedOnlyWhenTheyMustBe) {
  struct Case {
    std::string_view in;
    std::string_view out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"", ""},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"line\nbreak", "\"line\nbreak\""},
      {"cr\rhere", "\"cr\rhere\""},
      {"{\"k\":1,\"v\":2}", "\"{\"\"k\"\":1,\"\"v\"\":2}\""},
      {"read:orders", "read:orders"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(cell(c.in), c.out) << c.in;
}

TEST(EventCsv, FormulaCellsStayText) {
  EXPECT_EQ(cell("=1+1"), "'=1+1");
  EXPECT_EQ(cell("+cmd"), "'+cmd");
  EXPECT_EQ(cell("-2"), "'-2");
  EXPECT_EQ(cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(cell("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
  EXPECT_EQ(cell("a=b"), "a=b");
}

TEST(EventCsv, RowHasTheHeaderColumnsInOrder) {
  StoredEvent event;
  event.id = "e1";
  event.agent_id = "a1";
  event.agent_name = "Bot, the first";
  event.action = "permission_denied";
  event.scope = "write:orders";
  event.allowed = false;
  event.metadata_json = "{}";
  event.timestamp = 0;
  event.received_at = kMicrosPerSecond;
  std::string row;
  append_event_csv(event, row);
  EXPECT_EQ(row,
            "e1,1970-01-01T00:00:00.000000Z,1970-01-01T00:00:01.000000Z,a1,\"Bot, the first\","
            "permission_denied,write:orders,false,,{}\r\n");
}

}  // namespace
}  // namespace agentsudo::server::api
