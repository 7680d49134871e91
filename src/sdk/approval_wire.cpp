#include "sdk/approval_wire.hpp"

#include "sdk/json_reader.hpp"
#include "sdk/text_field.hpp"

namespace agentsudo {
namespace {

// The server's limits (docs/API.md): names as for an event, the preview
// as the approvals contract says.
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxScopeBytes = 256;
constexpr std::size_t kMaxPreviewBytes = 256;

void member(std::string& out, std::string_view name, std::string_view value,
            std::size_t max_bytes) {
  out.append(",\"").append(name).append("\":");
  append_json_text(out, value, max_bytes);
}

// The string member `name` of `object`, or empty.
std::string text_of(const JsonValue& object, std::string_view name) {
  const JsonValue* value = object.find(name);
  return value != nullptr && value->is_string() ? value->string() : std::string();
}

}  // namespace

std::string check_request_json(const ApprovalCall& call, const ApprovalTicket* redeem) {
  std::string out = "{\"on_denial\":\"approval\"";
  member(out, "agent_name", call.agent_name, kMaxNameBytes);
  member(out, "scope", call.scope, kMaxScopeBytes);
  if (!call.function_name.empty())
    member(out, "function_name", call.function_name, kMaxScopeBytes);
  member(out, "session_id", call.session_id, kMaxNameBytes);
  if (!call.args_digest.empty())
    member(out, "args_digest", call.args_digest, 64);
  if (!call.preview.empty())
    member(out, "preview", call.preview, kMaxPreviewBytes);
  out.append(",\"approval_ttl_seconds\":").append(std::to_string(call.ttl_seconds));
  // The session reaches the audit log through the recorded event's metadata.
  out.append(",\"metadata\":{\"session_id\":");
  append_json_text(out, call.session_id, kMaxNameBytes);
  out.push_back('}');
  if (redeem != nullptr) {
    out.append(",\"approval\":{\"id\":");
    append_json_text(out, redeem->id, kMaxNameBytes);
    out.append(",\"nonce\":");
    append_json_text(out, redeem->nonce, kMaxNameBytes);
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

std::optional<CheckAnswer> parse_check_answer(std::string_view body) {
  std::optional<JsonValue> json = parse_json(body);
  if (!json || !json->is_object())
    return std::nullopt;
  const JsonValue* allowed = json->find("allowed");
  if (allowed == nullptr || !allowed->is_bool())
    return std::nullopt;
  CheckAnswer answer;
  answer.reason = text_of(*json, "reason");
  if (allowed->boolean()) {
    answer.kind = CheckAnswer::Kind::kAllowed;
    answer.approval_id = text_of(*json, "approval_id");
    return answer;
  }
  const JsonValue* approval = json->find("approval");
  if (text_of(*json, "action") != "approval_requested" || approval == nullptr ||
      !approval->is_object()) {
    answer.kind = CheckAnswer::Kind::kDenied;
    return answer;
  }
  answer.kind = CheckAnswer::Kind::kApprovalRequested;
  answer.approval_id = text_of(*approval, "id");
  answer.nonce = text_of(*approval, "nonce");
  answer.expires_at = text_of(*approval, "expires_at");
  if (answer.approval_id.empty() || answer.nonce.empty())
    return std::nullopt;
  return answer;
}

std::optional<ApprovalStatusAnswer> parse_status_answer(std::string_view body) {
  std::optional<JsonValue> json = parse_json(body);
  if (!json || !json->is_object())
    return std::nullopt;
  ApprovalStatusAnswer answer{.status = text_of(*json, "status"),
                              .decided_by = text_of(*json, "decided_by"),
                              .reason = text_of(*json, "reason"),
                              .expires_at = text_of(*json, "expires_at")};
  if (answer.status.empty())
    return std::nullopt;
  return answer;
}

}  // namespace agentsudo
