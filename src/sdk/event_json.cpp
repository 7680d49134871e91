#include "sdk/event_json.hpp"

#include <charconv>

#include "sdk/agent_state.hpp"
#include "sdk/text_field.hpp"

namespace agentsudo {
namespace {

// The server's limits on event fields (docs/API.md).
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxScopeBytes = 256;
constexpr std::size_t kMaxMetadataStringBytes = 256;

const char* to_string(OnDenial on_denial) {
  switch (on_denial) {
    case OnDenial::kRaise:
      return "raise";
    case OnDenial::kLog:
      return "log";
    case OnDenial::kCallback:
      return "callback";
    case OnDenial::kApproval:
      return "approval";
  }
  return "raise";
}

// Writes `"key":` with the comma that separates it from a previous member.
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  // Continues an object whose opening and first members are already in `out`.
  struct Continued {};
  JsonObjectWriter(std::string& out, Continued) : out_(out), first_(false) {}
  ~JsonObjectWriter() { out_.push_back('}'); }
  JsonObjectWriter(const JsonObjectWriter&) = delete;
  JsonObjectWriter& operator=(const JsonObjectWriter&) = delete;

  // `name` is one of ours: plain ASCII that needs no escaping.
  std::string& key(std::string_view name) {
    if (!first_)
      out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(name);
    out_.append("\":");
    return out_;
  }
  void text(std::string_view name, std::string_view value, std::size_t max_bytes) {
    append_json_text(key(name), value, max_bytes);
  }
  // `value` is one of ours too (an action or a reason name).
  void ascii(std::string_view name, std::string_view value) {
    key(name).append(1, '"').append(value).push_back('"');
  }
  void time(std::string_view name, UnixMicros value) {
    append_rfc3339(key(name).append(1, '"'), value);
    out_.push_back('"');
  }
  void literal(std::string_view name, std::string_view json) { key(name).append(json); }

 private:
  std::string& out_;
  bool first_ = true;
};

void append_metadata(std::string& out, const EventRecord& event) {
  JsonObjectWriter metadata(out);
  if (event.policy) {
    // A managed agent's role is the policy's at the decision, never re-read.
    if (!event.policy->role.empty())
      metadata.text("role", event.policy->role, kMaxMetadataStringBytes);
    if (event.session)
      metadata.text("session_id", event.session->id, kMaxMetadataStringBytes);
    if (event.policy->version >= 0)
      metadata.literal("policy_version", std::to_string(event.policy->version));
    if (!event.policy->matched.empty())
      metadata.text("matched", event.policy->matched, kMaxScopeBytes);
  } else if (event.session) {
    // The state's own string: role() returns a copy.
    metadata.text("role", detail::AgentAccess::state(event.session->agent).role,
                  kMaxMetadataStringBytes);
    metadata.text("session_id", event.session->id, kMaxMetadataStringBytes);
  }
  if (event.reason != DenialReason::kNone)
    metadata.ascii("reason", to_string(event.reason));
  if (event.site)
    metadata.ascii("on_denial", to_string(event.site->on_denial));
  if (event.guardrail) {
    metadata.text("rule", event.guardrail->rule, kMaxMetadataStringBytes);
    metadata.text("detail", event.guardrail->reason, kMaxMetadataStringBytes);
    metadata.text("preview", event.guardrail->text_preview, kMaxMetadataStringBytes);
  }
  if (event.approval && !event.approval->approval_id.empty())
    metadata.text("approval_id", event.approval->approval_id, kMaxMetadataStringBytes);
}

}  // namespace

const char* to_string(EventAction action) noexcept {
  switch (action) {
    case EventAction::kPermissionCheck:
      return "permission_check";
    case EventAction::kPermissionDenied:
      return "permission_denied";
    case EventAction::kAuditViolation:
      return "audit_violation";
    case EventAction::kCallbackApproved:
      return "callback_approved";
    case EventAction::kCallbackDenied:
      return "callback_denied";
    case EventAction::kGuardrailViolation:
      return "guardrail_violation";
  }
  return "permission_check";
}

namespace {

// `{`, the identity members when given, and the timestamp member.
void append_head(std::string& out, const EventIdentity* identity, UnixMicros timestamp) {
  out.push_back('{');
  if (identity != nullptr) {
    // Ids are canonical UUIDs, made by this SDK: nothing to escape.
    out.append("\"event_id\":\"").append(identity->event_id);
    out.append("\",\"instance_id\":\"").append(identity->instance_id);
    out.append("\",\"sequence\":");
    char digits[24];
    char* end = std::to_chars(digits, digits + sizeof digits, identity->sequence).ptr;
    out.append(digits, end).push_back(',');
  }
  out.append("\"timestamp\":\"");
  append_rfc3339(out, timestamp);
  out.push_back('"');
}

// The members after the timestamp, each after its comma, and the closing `}`.
void append_tail(std::string& out, const EventRecord& event) {
  JsonObjectWriter json(out, JsonObjectWriter::Continued{});
  json.text("agent_name",
            event.session ? std::string_view(event.session->agent.name()) : kNoSessionAgentName,
            kMaxNameBytes);
  json.ascii("action", to_string(event.action));
  if (auto scope = event.scope())
    json.text("scope", *scope, kMaxScopeBytes);
  json.literal("allowed", event.allowed ? "true" : "false");
  if (auto name = event.function_name())
    json.text("function_name", *name, kMaxScopeBytes);
  append_metadata(json.key("metadata"), event);
}

}  // namespace

void append_json(std::string& out, const EventRecord& event, const EventIdentity* identity) {
  append_head(out, identity, event.timestamp);
  append_tail(out, event);
}

bool EventBatchWriter::same_as_cached(const EventRecord& event) const {
  // A managed agent's role and matched scope follow from its session's agent,
  // the scope and the version, so the version completes the key.
  std::int64_t policy_version = event.policy ? event.policy->version : kNoPolicyStamp;
  return cached_ && event.session.get() == session_ && event.site.get() == site_ &&
         event.action == action_ && event.allowed == allowed_ && event.reason == reason_ &&
         policy_version == policy_version_ && event.check_scope == check_scope_;
}

void EventBatchWriter::append(std::string& out, const EventRecord& event,
                              const EventIdentity& identity) {
  append_head(out, &identity, event.timestamp);
  // Guardrail and approval events carry their own detail: never shared.
  bool shareable = !event.guardrail && !event.approval;
  if (shareable && same_as_cached(event)) {
    out.append(tail_);
    return;
  }
  std::size_t start = out.size();
  append_tail(out, event);
  cached_ = shareable;
  if (!cached_)
    return;
  tail_.assign(out, start);
  session_ = event.session.get();
  site_ = event.site.get();
  action_ = event.action;
  allowed_ = event.allowed;
  reason_ = event.reason;
  policy_version_ = event.policy ? event.policy->version : kNoPolicyStamp;
  check_scope_ = event.check_scope;
}

std::string to_json_text(const EventRecord& event) {
  std::string out;
  append_json(out, event);
  return out;
}

}  // namespace agentsudo
