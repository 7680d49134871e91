// A request body -> the ingest routes' parsing, decoding and validation ->
// the JSON every read writes for the stored event, which must parse back as
// JSON with the same metadata (no Infinity, no lost digits or units in the
// last place, no broken escapes).
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "server/api/event_json.hpp"
#include "server/api/json_numbers.hpp"
#include "server/api/request_body.hpp"

namespace api = agentsudo::server::api;
namespace json = boost::json;

namespace {

bool is_finite(const json::value& value) {
  if (value.is_double())
    return std::isfinite(value.get_double());
  if (value.is_array()) {
    for (const auto& item : value.get_array()) {
      if (!is_finite(item))
        return false;
    }
  }
  if (value.is_object()) {
    for (const auto& member : value.get_object()) {
      if (!is_finite(member.value()))
        return false;
    }
  }
  return true;
}

void check_written_back(const agentsudo::Event& event) {
  agentsudo::server::StoredEvent stored;
  stored.id = "0193a2b4-0000-7000-8000-000000000000";
  stored.agent_id = stored.id;
  stored.agent_name = event.agent_name;
  stored.action = event.action;
  stored.scope = event.scope;
  stored.allowed = event.allowed;
  stored.function_name = event.function_name;
  stored.metadata_json = event.metadata_json;
  stored.timestamp = event.timestamp.value_or(0);
  std::string out;
  api::append_event_json(stored, "project", out);
  // Read back as a correct JSON parser would (Boost.JSON 1.81's own can be
  // one unit in the last place off), the metadata is the stored one exactly.
  auto written = api::parse_json_exactly(out, 64);
  FUZZ_CHECK(written);
  FUZZ_CHECK(written->at("agent_name").as_string() == event.agent_name);
  auto metadata = api::parse_json_exactly(event.metadata_json, 64);
  FUZZ_CHECK(metadata);
  FUZZ_CHECK(written->at("metadata") == *metadata);
  FUZZ_CHECK(json::serialize(*metadata) == event.metadata_json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  agentsudo::server::http::Request request;
  request.set(agentsudo::server::http::Field::content_type, "application/json");
  request.body().assign(reinterpret_cast<const char*>(data), size);
  auto body = api::parse_json_body(request);
  if (!body)
    return 0;
  // What the server parsed, written and parsed again, is the same value
  // (infinities aside: JSON cannot carry them, and metadata refuses them).
  if (is_finite(*body)) {
    auto again = api::parse_json_exactly(json::serialize(*body), 64);
    FUZZ_CHECK(again && *again == *body);
  }
  if (auto event = api::decode_event(*body))
    check_written_back(*event);
  if (auto batch = api::decode_event_batch(*body, 1000)) {
    for (const auto& event : *batch)
      check_written_back(event);
  }
  return 0;
}
