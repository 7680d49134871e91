#include "server/api/route.hpp"

namespace agentsudo::server::api {

std::string_view to_string(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kApiKey:
      return "api_key";
    case Access::kUser:
      return "user";
    case Access::kAdmin:
      return "admin";
    case Access::kProject:
      return "project";
  }
  return "unknown";
}

}  // namespace agentsudo::server::api
