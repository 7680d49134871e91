#include "server/audit/chain_report_json.hpp"

namespace agentsudo::server::audit {

boost::json::object chain_report_json(const ChainReport& report) {
  boost::json::object json{
      {"project_id", report.project_id},
      {"clean", report.clean()},
      {"events_checked", report.events_checked},
      {"events_before_chain", report.events_before_chain},
      {"checkpoints_checked", report.checkpoints_checked},
      {"positions_removed_by_retention", report.positions_removed_by_retention},
      {"last_position", report.last_position},
      {"last_seq", report.last_seq},
      {"last_hash", to_hex(report.last_hash)},
      {"fault", nullptr},
  };
  if (report.fault) {
    const ChainFault& fault = *report.fault;
    boost::json::object fault_json{{"kind", to_string(fault.kind)},
                                   {"seq", fault.seq},
                                   {"event_id", nullptr},
                                   {"position", fault.position},
                                   {"detail", fault.detail}};
    if (!fault.event_id.empty())
      fault_json["event_id"] = fault.event_id;
    json["fault"] = std::move(fault_json);
  }
  return json;
}

boost::json::object checkpoint_json(const Checkpoint& checkpoint) {
  return {{"project_id", checkpoint.project_id},
          {"position", checkpoint.position},
          {"seq", checkpoint.seq},
          {"hash", to_hex(checkpoint.hash)},
          {"signed_at", checkpoint.signed_at},
          {"signature", to_base64(as_bytes(checkpoint.signature))}};
}

}  // namespace agentsudo::server::audit
