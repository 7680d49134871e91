#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agentsudo/guardrails.hpp"
#include "core/scope_pattern.hpp"

namespace agentsudo::detail {

// The immutable state behind an Agent handle.
struct AgentState {
  std::string name;
  std::string role;
  std::chrono::seconds session_ttl;
  // As given, for messages and accessors.
  std::vector<std::string> scopes;
  // The same scopes compiled for checks.
  ScopeSet compiled_scopes;
  std::shared_ptr<const Guardrails> guardrails;
};

}  // namespace agentsudo::detail
