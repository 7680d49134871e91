#include "server/store/approval_event_metadata.hpp"

namespace agentsudo::server {

boost::json::object requested_metadata(const Approval& approval, std::int64_t policy_version) {
  boost::json::object metadata{{"reason", approval.denial_reason},
                               {"expires_at", format_rfc3339(approval.expires_at)},
                               {"policy_version", policy_version}};
  if (!approval.args_digest.empty())
    metadata["args_digest"] = approval.args_digest;
  return metadata;
}

boost::json::object decided_metadata(const Approval& approval,
                                     std::optional<std::int64_t> for_minutes) {
  boost::json::object metadata{{"decided_by", approval.decided_by}};
  if (!approval.decision_reason.empty())
    metadata["reason"] = approval.decision_reason;
  if (for_minutes)
    metadata["for_minutes"] = *for_minutes;
  if (approval.grant_until)
    metadata["grant_until"] = format_rfc3339(*approval.grant_until);
  return metadata;
}

}  // namespace agentsudo::server
