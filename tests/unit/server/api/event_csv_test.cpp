// The export's CSV: RFC 4180 quoting and the formula-injection guard.

#include "server/api/event_csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stored_event_sample.hpp"

namespace agentsudo::server::api {
namespace {

std::string cell(std::string_view text) {
  std::string out;
  append_csv_cell(text, out);
  return out;
}

// Splits one CRLF-terminated RFC 4180 record into its fields, so the tests
// check what a reader gets back rather than our own byte layout. Fails the
// test on anything RFC 4180 does not allow.
std::vector<std::string> read_record(std::string_view record) {
  std::vector<std::string> fields(1);
  bool at_field_start = true;
  bool after_quoted = false;  // a closing quote must be followed by , or CRLF
  std::size_t i = 0;
  while (i < record.size()) {
    char c = record[i];
    if (c == ',') {
      fields.emplace_back();
      at_field_start = true;
      after_quoted = false;
      ++i;
    } else if (record.substr(i) == "\r\n") {
      return fields;
    } else if (after_quoted || c == '\r' || c == '\n' || (c == '"' && !at_field_start)) {
      ADD_FAILURE() << "unexpected byte " << int{c} << " at " << i << " in " << record;
      return fields;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= record.size()) {
          ADD_FAILURE() << "unterminated quoted field in " << record;
          return fields;
        }
        if (record[i] == '"') {
          if (i + 1 >= record.size() || record[i + 1] != '"')
            break;
          ++i;  // a doubled quote stands for one
        }
        fields.back().push_back(record[i]);
      }
      ++i;
      at_field_start = false;
      after_quoted = true;
    } else {
      fields.back().push_back(c);
      at_field_start = false;
      ++i;
    }
  }
  ADD_FAILURE() << "record does not end with CRLF: " << record;
  return fields;
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
      {"\"", "\"\"\"\""},
      {"line\nbreak", "\"line\nbreak\""},
      {"cr\rhere", "\"cr\rhere\""},
      {"{\"k\":1,\"v\":2}", "\"{\"\"k\"\":1,\"\"v\"\":2}\""},
      {"read:orders", "read:orders"},
      {"with space", "with space"},
      {"caf\xC3\xA9", "caf\xC3\xA9"},
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
  EXPECT_EQ(cell("'=already"), "'=already");
}

// Whatever the text, a reader gets it back whole in one field, with the
// guard's quote in front of a formula and nothing else changed.
TEST(EventCsv, EveryCellReadsBackAsOneField) {
  const std::string texts[] = {"plain",
                               "",
                               ",",
                               "\"",
                               "\"\"",
                               "a,\"b\",c",
                               "\r\n",
                               "trailing\r",
                               "=cmd|' /C calc'!A0",
                               "+1,2",
                               "-\"x\"",
                               "@\n",
                               "{\"session_id\":\"s\",\"n\":[1,2]}",
                               "caf\xC3\xA9 \xF0\x9F\x98\x80"};
  for (const auto& text : texts) {
    std::string record = cell(text) + "\r\n";
    auto fields = read_record(record);
    ASSERT_EQ(fields.size(), 1u) << record;
    bool formula = !text.empty() && std::string_view("=+-@").find(text[0]) != std::string::npos;
    EXPECT_EQ(fields[0], formula ? "'" + text : text) << record;
  }
}

// The sample event with `text` in every column a client writes freely.
StoredEvent event_with_text(const std::string& text) {
  StoredEvent event = sample_stored_event();
  event.agent_name = text;
  event.scope = text;
  event.function_name = text;
  return event;
}

// The exact bytes of a row: quoting only where needed, empty cells for what
// is absent, times as RFC 3339 with six digits, CRLF at the end.
TEST(EventCsv, RowHasTheHeaderColumnsInOrder) {
  StoredEvent event = sample_stored_event();
  event.agent_name = "Bot, the first";
  event.function_name.reset();
  event.metadata_json = "{}";
  event.timestamp = 0;
  event.received_at = kMicrosPerSecond;
  std::string row;
  append_event_csv(event, row);
  EXPECT_EQ(row,
            "0190a5c4-0000-7000-8000-000000000001,1970-01-01T00:00:00.000000Z,"
            "1970-01-01T00:00:01.000000Z,0190a5c4-0000-7000-8000-0000000000a1,"
            "\"Bot, the first\",permission_check,read:orders,false,,{}\r\n");
}

TEST(EventCsv, RowReadsBackIntoTheHeadersColumns) {
  auto header = read_record(kEventCsvHeader);
  StoredEvent event = event_with_text("a,\"b\"\nc");
  event.metadata_json = R"({"k":"v,w","q":"\""})";
  std::string row;
  append_event_csv(event, row);
  auto fields = read_record(row);
  ASSERT_EQ(fields.size(), header.size()) << row;
  auto column = [&](std::string_view name) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name)
        return fields[i];
    }
    ADD_FAILURE() << "no column " << name;
    return std::string();
  };
  EXPECT_EQ(column("id"), event.id);
  EXPECT_EQ(parse_rfc3339(column("timestamp")), event.timestamp);
  EXPECT_EQ(parse_rfc3339(column("received_at")), event.received_at);
  EXPECT_EQ(column("agent_id"), event.agent_id);
  EXPECT_EQ(column("agent_name"), event.agent_name);
  EXPECT_EQ(column("action"), event.action);
  EXPECT_EQ(column("scope"), *event.scope);
  EXPECT_EQ(column("allowed"), event.allowed ? "true" : "false");
  EXPECT_EQ(column("function_name"), *event.function_name);
  EXPECT_EQ(column("metadata"), event.metadata_json);
}

// Every column a client controls is guarded, not only the first.
TEST(EventCsv, FormulasAreGuardedInEveryClientColumn) {
  for (const std::string formula : {"=1+1", "+1", "-1", "@A1"}) {
    StoredEvent event = event_with_text(formula);
    event.action = formula;
    std::string row;
    append_event_csv(event, row);
    auto fields = read_record(row);
    ASSERT_EQ(fields.size(), 10u) << row;
    for (std::size_t column : {4u, 5u, 6u, 8u})
      EXPECT_EQ(fields[column], "'" + formula) << "column " << column << " of " << row;
  }
}

TEST(EventCsv, AbsentOptionalsAreEmptyCells) {
  StoredEvent event = event_with_text("x");
  event.scope.reset();
  event.function_name.reset();
  std::string row;
  append_event_csv(event, row);
  auto fields = read_record(row);
  ASSERT_EQ(fields.size(), 10u) << row;
  EXPECT_EQ(fields[6], "");
  EXPECT_EQ(fields[8], "");
}

TEST(EventCsv, HeaderIsOneCrlfRecordOfTenColumns) {
  ASSERT_TRUE(kEventCsvHeader.ends_with("\r\n"));
  EXPECT_EQ(read_record(kEventCsvHeader).size(), 10u);
}

}  // namespace
}  // namespace agentsudo::server::api
