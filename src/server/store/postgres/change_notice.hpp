#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/store/change_feed.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// The channel every node LISTENs on.
inline constexpr const char* kChangeChannel = "agentsudo_changes";

// Inside the caller's transaction: tells every node (on COMMIT, not before;
// not at all on ROLLBACK) that `change` happened. PostgreSQL's NOTIFY: the
// one PostgreSQL-only mechanism here (distributed engines offer changefeeds
// instead).
void publish_change(Connection& conn, const StoreChange& change);

// The payload's wire form and back; nullopt for a payload this build does
// not understand (a newer node's), which is ignored.
std::string encode_change(const StoreChange& change);
std::optional<StoreChange> decode_change(std::string_view payload);

}  // namespace agentsudo::server::postgres
