#include "server/store/postgres/change_notice.hpp"

#include <charconv>

namespace agentsudo::server::postgres {
namespace {

char kind_letter(StoreChange::Kind kind) {
  switch (kind) {
    case StoreChange::Kind::kEvents:
      return 'e';
    case StoreChange::Kind::kPolicy:
      return 'p';
    case StoreChange::Kind::kApproval:
      return 'a';
  }
  return 'e';
}

std::optional<StoreChange::Kind> kind_of(char letter) {
  switch (letter) {
    case 'e':
      return StoreChange::Kind::kEvents;
    case 'p':
      return StoreChange::Kind::kPolicy;
    case 'a':
      return StoreChange::Kind::kApproval;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string encode_change(const StoreChange& change) {
  std::string payload(1, kind_letter(change.kind));
  payload += ' ';
  payload += std::to_string(change.project_rowid);
  if (change.kind == StoreChange::Kind::kApproval) {
    payload += ' ';
    payload += change.approval_id;
  }
  return payload;
}

std::optional<StoreChange> decode_change(std::string_view payload) {
  if (payload.size() < 3 || payload[1] != ' ')
    return std::nullopt;
  auto kind = kind_of(payload[0]);
  if (!kind)
    return std::nullopt;
  StoreChange change;
  change.kind = *kind;
  auto rest = payload.substr(2);
  auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), change.project_rowid);
  if (error != std::errc() || change.project_rowid < 0)
    return std::nullopt;
  auto tail = rest.substr(static_cast<std::size_t>(end - rest.data()));
  if (change.kind != StoreChange::Kind::kApproval)
    return tail.empty() ? std::optional(change) : std::nullopt;
  if (tail.size() < 2 || tail[0] != ' ')
    return std::nullopt;
  change.approval_id = std::string(tail.substr(1));
  return change;
}

void publish_change(Connection& conn, const StoreChange& change) {
  conn.exec("SELECT pg_notify($1, $2)", Params().add(kChangeChannel).add(encode_change(change)));
}

}  // namespace agentsudo::server::postgres
