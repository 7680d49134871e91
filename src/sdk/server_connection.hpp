#pragma once

#include <string>

namespace agentsudo {

// Where a request from a calling thread (an approval) goes, and with which key.
struct ServerConnection {
  // The server's base URL, without a trailing slash.
  std::string base_url;
  // Empty when none is configured anywhere.
  std::string api_key;
};

// Resolves each of `endpoint` and `api_key` when empty: the environment
// (AGENTSUDO_ENDPOINT, AGENTSUDO_API_KEY), then configure_policy()'s
// settings, then configure_cloud()'s; the endpoint defaults to
// http://127.0.0.1:8080. Thread-safe.
ServerConnection resolve_server_connection(std::string endpoint, std::string api_key);

}  // namespace agentsudo
