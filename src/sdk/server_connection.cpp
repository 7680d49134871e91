#include "sdk/server_connection.hpp"

#include <cstdlib>
#include <optional>

#include "sdk/cloud_settings.hpp"
#include "sdk/policy_subscriber.hpp"

namespace agentsudo {
namespace {

constexpr const char* kDefaultEndpoint = "http://127.0.0.1:8080";

void fill_from_environment(std::string& value, const char* name) {
  if (!value.empty())
    return;
  if (const char* found = std::getenv(name))
    value = found;
}

}  // namespace

ServerConnection resolve_server_connection(std::string endpoint, std::string api_key) {
  fill_from_environment(endpoint, "AGENTSUDO_ENDPOINT");
  fill_from_environment(api_key, "AGENTSUDO_API_KEY");
  if (endpoint.empty() || api_key.empty()) {
    if (std::optional<PolicySettings> policy = active_policy_settings()) {
      if (endpoint.empty())
        endpoint = policy->options.endpoint;
      if (api_key.empty())
        api_key = policy->api_key;
    }
  }
  if (endpoint.empty() || api_key.empty()) {
    if (std::optional<CloudOptions> cloud = active_cloud_options()) {
      if (endpoint.empty())
        endpoint = cloud->endpoint;
      if (api_key.empty())
        api_key = cloud->api_key;
    }
  }
  if (endpoint.empty())
    endpoint = kDefaultEndpoint;
  while (!endpoint.empty() && endpoint.back() == '/')
    endpoint.pop_back();
  return ServerConnection{.base_url = std::move(endpoint), .api_key = std::move(api_key)};
}

}  // namespace agentsudo
