#pragma once

#include <string>
#include <string_view>

#include "server/store/approval_store.hpp"

namespace agentsudo::server {

// An approval's single-use nonce: the requester gets `plaintext` once, the
// store keeps `digest` (SHA-256).
struct ApprovalNonce {
  std::string plaintext;
  NonceDigest digest{};
};

ApprovalNonce mint_approval_nonce();

// Whether `presented` is the nonce whose digest is stored; constant time in
// the digest, so a timing side channel tells nothing about it.
bool nonce_matches(std::string_view presented, const NonceDigest& stored);

}  // namespace agentsudo::server
