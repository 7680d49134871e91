#pragma once

#include <optional>
#include <string>

#include "core/timestamp.hpp"

namespace agentsudo::server {

// What a new management token is given besides its secret.
struct ManagementTokenSettings {
  std::optional<std::string> name;       // a label for people; none when unset
  std::optional<UnixMicros> expires_at;  // refused from then on; never when unset
};

// A management token as operators and admins see it: never the secret.
struct ManagementToken {
  std::string id;      // public uuid
  std::string prefix;  // the secret's first characters, to tell tokens apart
  std::optional<std::string> name;
  UnixMicros created_at = 0;
  std::optional<UnixMicros> expires_at;
  std::optional<UnixMicros> revoked_at;
};

}  // namespace agentsudo::server
