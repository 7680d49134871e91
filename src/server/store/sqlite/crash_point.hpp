#pragma once

#include <string_view>

// A fault-injection hook for tests of atomicity: in a build configured with
// AGENTSUDO_FAULT_INJECTION=ON, AGENTSUDO_CRASH_POINT("name") kills the
// process on the spot (SIGKILL: no rollback, no flush, no destructor) when
// the environment variable AGENTSUDO_CRASH_AT is "name". In every other build
// it expands to nothing, so release binaries carry neither the check nor the
// names.
//
// The points, each between two writes of one transaction:
//   project.create.after_project  the project row, before its first key
//   project.create.after_key      the first key, before the first member
//   project.create.after_member   the first member, before the once-setting
//   project.update.after_rename   the new name, before the new tier
//   project.delete.after_mark     the rowid high-water mark, before the delete
//   key.rotate.after_revoke       the old key revoked, before its replacement
//   agent.create.after_insert     the agent row, before its settings
#ifdef AGENTSUDO_FAULT_INJECTION
#define AGENTSUDO_CRASH_POINT(name) ::agentsudo::server::sqlite::crash_if_armed(name)

namespace agentsudo::server::sqlite {

// Kills the process when AGENTSUDO_CRASH_AT equals `point`.
void crash_if_armed(std::string_view point);

}  // namespace agentsudo::server::sqlite
#else
#define AGENTSUDO_CRASH_POINT(name) static_cast<void>(0)
#endif
