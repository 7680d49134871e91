#pragma once

namespace agentsudo::server::cli {

// Prints every route the server serves, from the resources' own route
// tables: a table for people, or with `json` one array of
// {"method", "path", "body_limit", "access"} that the tests and docs are
// checked against. Returns the process exit code.
int print_routes(bool json);

}  // namespace agentsudo::server::cli
