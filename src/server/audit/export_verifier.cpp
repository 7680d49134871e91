#include "server/audit/export_verifier.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace agentsudo::server::audit {
namespace json = boost::json;

namespace {

// A chained event line, found by its seq so the lines can be walked in
// chain order without holding them parsed.
struct EventLine {
  std::int64_t seq = 0;
  std::string_view text;
};

struct ExportLines {
  std::vector<EventLine> events;
  std::vector<Checkpoint> checkpoints;
  std::int64_t unchained = 0;
  std::string project_id;
};

Error bad_line(std::size_t number, const std::string& why) {
  return make_error(ErrorKind::kInvalidPayload,
                    "line " + std::to_string(number) + " of the export " + why);
}

std::optional<Checkpoint> read_checkpoint(const json::value& value) {
  const auto* object = value.if_object();
  if (object == nullptr)
    return std::nullopt;
  Checkpoint checkpoint;
  try {
    checkpoint.project_id = json::value_to<std::string>(object->at("project_id"));
    checkpoint.position = object->at("position").to_number<std::int64_t>();
    checkpoint.seq = object->at("seq").to_number<std::int64_t>();
    checkpoint.signed_at = object->at("signed_at").to_number<std::int64_t>();
    auto hash = chain_hash_from_hex(object->at("hash").as_string());
    auto signature = from_base64(object->at("signature").as_string());
    if (!hash || !signature || signature->size() != checkpoint.signature.size())
      return std::nullopt;
    checkpoint.hash = *hash;
    std::copy(signature->begin(), signature->end(), checkpoint.signature.begin());
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return checkpoint;
}

// The raw text of the line's "metadata" member: from the first unescaped
// `,"metadata":` (no string value can hold one) to the last `,"timestamp":"`
// (nothing after the metadata can).
std::optional<std::string_view> raw_metadata(std::string_view line) {
  constexpr std::string_view kStart = ",\"metadata\":";
  constexpr std::string_view kEnd = ",\"timestamp\":\"";
  auto start = line.find(kStart);
  auto end = line.rfind(kEnd);
  if (start == std::string_view::npos || end == std::string_view::npos ||
      end < start + kStart.size())
    return std::nullopt;
  return line.substr(start + kStart.size(), end - start - kStart.size());
}

Result<ExportLines> index_lines(std::string_view text) {
  ExportLines lines;
  std::size_t number = 0;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (line.empty())
      continue;
    boost::system::error_code ec;
    json::value value = json::parse(line, ec);
    if (ec || !value.is_object())
      return bad_line(number, "is not a JSON object");
    const auto& object = value.get_object();
    if (const auto* checkpoint = object.if_contains("checkpoint")) {
      auto parsed = read_checkpoint(*checkpoint);
      if (!parsed)
        return bad_line(number, "holds a checkpoint without its fields");
      lines.checkpoints.push_back(std::move(*parsed));
      continue;
    }
    if (const auto* project = object.if_contains("project_id"); project && project->is_string())
      lines.project_id = project->get_string();
    const auto* chain = object.if_contains("chain");
    if (chain == nullptr || !chain->is_object() || !chain->get_object().contains("seq")) {
      ++lines.unchained;
      continue;
    }
    const auto& seq = chain->get_object().at("seq");
    if (!seq.is_int64())
      return bad_line(number, "has a chain without an integer seq");
    lines.events.push_back(EventLine{seq.get_int64(), line});
  }
  return lines;
}

std::optional<std::string_view> string_member(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string())
    return std::nullopt;
  return std::string_view(value->get_string());
}

// Feeds one chained line to the verifier; a line that lacks a field the
// hash covers cannot match, so it goes in with no hash to be named.
void add_line(const EventLine& line, ChainVerifier& verifier, const std::string& project_id) {
  boost::system::error_code ec;
  json::value value = json::parse(line.text, ec);
  const auto& object = value.get_object();
  const auto& chain = object.at("chain").get_object();
  ChainedEvent event;
  event.project_id = project_id;
  event.seq = line.seq;
  event.event_id = string_member(object, "id").value_or("");
  event.agent_id = string_member(object, "agent_id").value_or("");
  event.agent_name = string_member(object, "agent_name").value_or("");
  event.action = string_member(object, "action").value_or("");
  event.scope = string_member(object, "scope");
  event.function_name = string_member(object, "function_name");
  const auto* allowed = object.if_contains("allowed");
  event.allowed = allowed != nullptr && allowed->is_bool() && allowed->get_bool();
  event.metadata_json = raw_metadata(line.text).value_or("");
  std::optional<ChainHash> hash;
  try {
    event.position = chain.at("position").to_number<std::int64_t>();
    event.timestamp = chain.at("ts").to_number<std::int64_t>();
    event.received_at = chain.at("received_at").to_number<std::int64_t>();
    hash = chain_hash_from_hex(chain.at("hash").as_string());
  } catch (const std::exception&) {
    hash.reset();
  }
  verifier.add(event, hash);
}

}  // namespace

Result<ChainReport> verify_export(const std::filesystem::path& file, const PublicKey& key) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return make_error(ErrorKind::kNotFound, "cannot read " + file.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = std::move(buffer).str();
  auto lines = index_lines(text);
  if (!lines)
    return lines.error();
  std::sort(lines->events.begin(), lines->events.end(),
            [](const EventLine& a, const EventLine& b) { return a.seq < b.seq; });
  std::sort(lines->checkpoints.begin(), lines->checkpoints.end(),
            [](const Checkpoint& a, const Checkpoint& b) { return a.position < b.position; });
  std::string project_id = lines->project_id;
  if (project_id.empty() && !lines->checkpoints.empty())
    project_id = lines->checkpoints.front().project_id;
  ChainVerifier verifier(project_id, key, std::move(lines->checkpoints));
  for (const auto& line : lines->events) {
    if (verifier.done())
      break;
    add_line(line, verifier, project_id);
  }
  auto report = verifier.finish(std::nullopt);
  report.events_before_chain = lines->unchained;
  return report;
}

}  // namespace agentsudo::server::audit
