#pragma once

#include <string>

#include "agentsudo/guard.hpp"

namespace agentsudo::detail {

// The immutable description of one guarded place in the code, shared by its
// GuardPoint copies and by the events it produced.
struct GuardSite {
  std::string scope;
  std::string function_name;
  OnDenial on_denial;
  ApprovalCallback approve;
  ApprovalOptions approval;
};

}  // namespace agentsudo::detail
