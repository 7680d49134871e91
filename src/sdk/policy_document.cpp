#include "sdk/policy_document.hpp"

#include "sdk/json_reader.hpp"
#include "sdk/text_field.hpp"

namespace agentsudo {
namespace {

// The agent name limit the server and the SDK share.
constexpr std::size_t kMaxAgentNameBytes = 200;

std::nullopt_t invalid(std::string* error, std::string reason) {
  if (error != nullptr)
    *error = std::move(reason);
  return std::nullopt;
}

std::optional<AgentPolicyEntry> parse_agent(const JsonValue& value, std::size_t index,
                                            std::string* error) {
  std::string where = "agents[" + std::to_string(index) + "]";
  if (!value.is_object())
    return invalid(error, where + " is not an object");
  AgentPolicyEntry entry;
  const JsonValue* name = value.find("name");
  if (name == nullptr || !name->is_string() || name->string().empty() ||
      name->string().size() > kMaxAgentNameBytes || !is_clean_utf8(name->string())) {
    return invalid(error, where + ".name must be a string of 1 to 200 bytes");
  }
  entry.name = name->string();
  const JsonValue* scopes = value.find("scopes");
  if (scopes == nullptr || !scopes->is_array())
    return invalid(error, where + ".scopes must be an array of strings");
  for (const JsonValue& scope : scopes->array()) {
    if (!scope.is_string() || !is_clean_utf8(scope.string()))
      return invalid(error, where + ".scopes must be an array of strings");
    entry.scopes.push_back(scope.string());
  }
  if (const JsonValue* role = value.find("role"); role != nullptr) {
    if (!role->is_string() || role->string().empty())
      return invalid(error, where + ".role must be a non-empty string");
    entry.role = role->string();
  }
  if (const JsonValue* ttl = value.find("session_ttl_seconds"); ttl != nullptr) {
    if (!ttl->is_integer() || ttl->integer() <= 0)
      return invalid(error, where + ".session_ttl_seconds must be a positive integer");
    entry.session_ttl = std::chrono::seconds(ttl->integer());
  }
  return entry;
}

}  // namespace

const AgentPolicyEntry* PolicyDocument::find(std::string_view name) const noexcept {
  for (const AgentPolicyEntry& agent : agents) {
    if (agent.name == name)
      return &agent;
  }
  return nullptr;
}

std::optional<PolicyDocument> parse_policy_document(std::string_view body, std::string* error) {
  std::string json_error;
  std::optional<JsonValue> root = parse_json(body, &json_error);
  if (!root)
    return invalid(error, "not JSON: " + json_error);
  if (!root->is_object())
    return invalid(error, "not a JSON object");
  PolicyDocument document;
  const JsonValue* version = root->find("version");
  if (version == nullptr || !version->is_integer() || version->integer() < 0)
    return invalid(error, "version must be a non-negative integer");
  document.version = version->integer();
  const JsonValue* agents = root->find("agents");
  if (agents == nullptr || !agents->is_array())
    return invalid(error, "agents must be an array");
  for (std::size_t i = 0; i < agents->array().size(); ++i) {
    std::optional<AgentPolicyEntry> entry = parse_agent(agents->array()[i], i, error);
    if (!entry)
      return std::nullopt;
    document.agents.push_back(std::move(*entry));
  }
  return document;
}

}  // namespace agentsudo
