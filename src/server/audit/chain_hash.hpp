#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace agentsudo::server::audit {

// A link of a project's chain: SHA-256 over the previous link and the
// event's canonical encoding.
using ChainHash = std::array<unsigned char, 32>;

// The "previous hash" of a project's first chained event.
inline constexpr ChainHash kGenesisHash{};

ChainHash next_chain_hash(const ChainHash& previous, std::string_view canonical_event);

// Lowercase hex, as exports and API answers carry it.
std::string to_hex(const ChainHash& hash);
std::optional<ChainHash> chain_hash_from_hex(std::string_view hex);
// A stored BLOB of the wrong size is no hash.
std::optional<ChainHash> chain_hash_from_bytes(std::string_view bytes);

}  // namespace agentsudo::server::audit
