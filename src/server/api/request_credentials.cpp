#include "server/api/request_credentials.hpp"

namespace agentsudo::server::api {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

bool changes_state(http::Verb method) {
  return method == http::Verb::post || method == http::Verb::put || method == http::Verb::patch ||
         method == http::Verb::delete_;
}

}  // namespace

std::string_view cookie_value(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    std::size_t end = cookie_header.find(';');
    std::string_view pair = trim(cookie_header.substr(0, end));
    cookie_header =
        end == std::string_view::npos ? std::string_view{} : cookie_header.substr(end + 1);
    std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name)
      return trim(pair.substr(equals + 1));
  }
  return {};
}

PresentedCredentials credentials_of(const http::Request& request) {
  return PresentedCredentials{request[http::Field::authorization],
                              request["X-API-Key"],
                              cookie_value(request[http::Field::cookie], kSessionCookie),
                              request[kCsrfHeader],
                              changes_state(request.method()),
                              request["Sec-Fetch-Site"],
                              request[http::Field::origin],
                              request[http::Field::host]};
}

Result<Principal> authenticate(AccessControl& access, const http::Request& request) {
  return access.authenticate(credentials_of(request));
}

Result<ProjectRequest> authorize_project(AccessControl& access, const http::Request& request,
                                         std::string_view project_id) {
  ASSIGN_OR_RETURN(auto principal, authenticate(access, request));
  ASSIGN_OR_RETURN(auto project, access.visible_project(principal, project_id));
  return ProjectRequest{std::move(principal), std::move(project)};
}

ChangeAuthor author_of(const Principal& principal) {
  if (principal.user)
    return {principal.user->email};
  return {"operator"};
}

}  // namespace agentsudo::server::api
