#include "server/api/analytics_handler.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <map>

#include "core/scope_pattern.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/responses.hpp"
#include "server/api/scope_list.hpp"
#include "server/service/delivery_report.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

constexpr int kDefaultDays = 7;

Error invalid_parameter(std::string name, std::string message) {
  return make_error(ErrorKind::kInvalidParameter, std::move(message), std::move(name));
}

// Reads ?days=1|7|30|90 (default 7); no other parameter is accepted.
Result<int> parse_days(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url)
    return invalid_parameter("", "the request target is not a valid URL");
  int days = kDefaultDays;
  for (const auto& param : url->params()) {
    if (param.key.empty())
      continue;  // "?" alone, or "&&"
    if (param.key != "days")
      return invalid_parameter(param.key, "unknown query parameter " + param.key);
    if (param.value == "1" || param.value == "7" || param.value == "30" || param.value == "90") {
      days = std::stoi(param.value);
    } else {
      return invalid_parameter("days", "days must be 1, 7, 30 or 90");
    }
  }
  return days;
}

// The last 24 hours by the hour for one day, else the last N UTC days by the
// day; the current bucket is always the last one.
AnalyticsWindow window_for(std::int64_t project_rowid, int days, UnixMicros now) {
  Period period = days == 1 ? Period::kHour : Period::kDay;
  std::int64_t last = bucket_of(period, now);
  std::int64_t count = days == 1 ? 24 : days;
  return AnalyticsWindow{project_rowid, period, last - count + 1, last};
}

json::array series_json(const AnalyticsWindow& window, const std::vector<BucketActivity>& series,
                        std::int64_t& allowed, std::int64_t& denied) {
  json::array out;
  auto next = series.begin();
  for (std::int64_t bucket = window.first; bucket <= window.last; ++bucket) {
    BucketActivity counts{bucket, 0, 0};
    if (next != series.end() && next->bucket == bucket)
      counts = *next++;
    allowed += counts.allowed;
    denied += counts.denied;
    out.push_back(json::object{{"t", format_rfc3339(bucket_start(window.period, bucket))},
                               {"allowed", counts.allowed},
                               {"denied", counts.denied}});
  }
  return out;
}

json::array agents_json(const std::vector<AgentActivity>& agents) {
  json::array out;
  for (const auto& agent : agents) {
    out.push_back(json::object{{"agent_id", agent.agent_id},
                               {"agent_name", agent.agent_name},
                               {"events", agent.events},
                               {"denials", agent.denials},
                               {"last_active", format_rfc3339(agent.last_active)}});
  }
  return out;
}

json::array scopes_json(const std::vector<ScopeUsage>& scopes) {
  json::array out;
  for (const auto& scope : scopes) {
    out.push_back(json::object{{"scope", scope.scope},
                               {"requests", scope.requests},
                               {"denials", scope.denials},
                               {"agents", scope.agents}});
  }
  return out;
}

json::object report_json(int days, const AnalyticsWindow& window, const ActivityReport& report) {
  std::int64_t allowed = 0;
  std::int64_t denied = 0;
  json::array series = series_json(window, report.series, allowed, denied);
  std::int64_t events = allowed + denied;
  json::object totals{
      {"events", events},
      {"agents", report.agents},
      {"sessions", report.sessions},
      {"grants", allowed},
      {"denials", denied},
      {"denial_rate",
       events == 0 ? 0.0 : static_cast<double>(denied) / static_cast<double>(events)}};
  return json::object{{"days", days},
                      {"bucket", window.period == Period::kHour ? "hour" : "day"},
                      {"totals", std::move(totals)},
                      {"agents", agents_json(report.top_agents)},
                      {"scopes", scopes_json(report.top_scopes)},
                      {"series", std::move(series)}};
}

std::string day_text(std::int64_t day) {
  return format_rfc3339(day * kMicrosPerDay).substr(0, 10);
}

json::value optional_number(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object delivery_json(const DeliveryReport& report) {
  json::array instances;
  for (const auto& instance : report.instances) {
    json::array days;
    for (const auto& day : instance.days) {
      days.push_back(json::object{{"day", day_text(day.day)},
                                  {"events", day.events},
                                  {"lowest_sequence", optional_number(day.min_sequence)},
                                  {"highest_sequence", optional_number(day.max_sequence)},
                                  {"dropped", day.dropped},
                                  {"gaps", day.gaps}});
    }
    instances.push_back(json::object{{"instance_id", instance.instance_id},
                                     {"events", instance.events},
                                     {"highest_sequence", instance.highest_sequence},
                                     {"dropped", instance.dropped},
                                     {"gaps", instance.gaps},
                                     {"days", std::move(days)}});
  }
  return json::object{
      {"dropped", report.dropped}, {"gaps", report.gaps}, {"instances", std::move(instances)}};
}

}  // namespace

std::vector<ResourceRoute<AnalyticsHandler>> AnalyticsHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects/{project_id}/analytics", kSmallBody, Access::kProject,
            &AnalyticsHandler::analytics),
      route(Verb::get, "/api/v1/projects/{project_id}/usage", kSmallBody, Access::kProject,
            &AnalyticsHandler::usage),
      route(Verb::get, "/api/v1/projects/{project_id}/usage/delivery", kSmallBody, Access::kProject,
            &AnalyticsHandler::delivery),
      route(Verb::post, "/api/v1/projects/{project_id}/scope-preview", kSmallBody, Access::kProject,
            &AnalyticsHandler::scope_preview),
  };
}

AnalyticsHandler::AnalyticsHandler(AccessControl& access, AnalyticsStore& analytics,
                                   DeliveryStore& delivery, const Clock& clock)
    : access_(access), analytics_(analytics), delivery_(delivery), clock_(clock) {}

Result<http::Response> AnalyticsHandler::analytics(const http::Request& request,
                                                   std::string_view project_id) {
  ASSIGN_OR_RETURN(auto access, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(int days, parse_days(request.target()));
  AnalyticsWindow window = window_for(access.project.rowid, days, clock_.now());
  ASSIGN_OR_RETURN(auto report, analytics_.activity(window, kMaxListRows));
  return json_response(200, report_json(days, window, report), request.version());
}

Result<http::Response> AnalyticsHandler::usage(const http::Request& request,
                                               std::string_view project_id) {
  ASSIGN_OR_RETURN(auto access, authorize_project(access_, request, project_id));
  std::int64_t today = utc_day(clock_.now());
  std::int64_t first = today - static_cast<std::int64_t>(kUsageDays) + 1;
  ASSIGN_OR_RETURN(auto counts, analytics_.received_per_day(access.project.rowid, first, today));

  json::array days;
  std::int64_t events_today = 0;
  auto next = counts.begin();
  for (std::int64_t day = first; day <= today; ++day) {
    std::int64_t events = 0;
    if (next != counts.end() && next->day == day)
      events = (next++)->events;
    if (day == today)
      events_today = events;
    days.push_back(json::object{{"day", day_text(day)}, {"events", events}});
  }
  std::int64_t limit = access.project.tier.daily_quota;
  json::object today_json{{"events", events_today},
                          {"limit", limit},
                          {"remaining", std::max<std::int64_t>(0, limit - events_today)},
                          {"resets_at", format_rfc3339((today + 1) * kMicrosPerDay)}};
  return json_response(200,
                       json::object{{"today", std::move(today_json)}, {"days", std::move(days)}},
                       request.version());
}

Result<http::Response> AnalyticsHandler::delivery(const http::Request& request,
                                                  std::string_view project_id) {
  ASSIGN_OR_RETURN(auto access, authorize_project(access_, request, project_id));
  std::int64_t since = utc_day(clock_.now()) - static_cast<std::int64_t>(kUsageDays) + 1;
  ASSIGN_OR_RETURN(auto rows,
                   delivery_.instance_days(access.project.rowid, since, kMaxDeliveryInstances));
  return json_response(200, delivery_json(summarize_delivery(rows)), request.version());
}

Result<http::Response> AnalyticsHandler::scope_preview(const http::Request& request,
                                                       std::string_view project_id) {
  ASSIGN_OR_RETURN(auto access, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  const json::value* scopes_value =
      body.is_object() ? body.get_object().if_contains("scopes") : nullptr;
  if (scopes_value == nullptr) {
    return make_error(ErrorKind::kInvalidPayload, "scopes is required: an array of scope patterns",
                      "scopes");
  }
  ASSIGN_OR_RETURN(auto held, decode_scope_list(*scopes_value));
  ASSIGN_OR_RETURN(auto seen, analytics_.scopes_seen(access.project.rowid, kMaxPreviewScopes));

  ScopeSet set(held);
  json::array granted;
  json::array denied;
  for (const auto& scope : seen)
    (set.allows(scope) ? granted : denied).push_back(json::string(scope));
  return json_response(200,
                       json::object{{"granted", std::move(granted)}, {"denied", std::move(denied)}},
                       request.version());
}

}  // namespace agentsudo::server::api
