#include "server/audit/chain_hash.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>
#include <memory>

namespace agentsudo::server::audit {
namespace {

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// libcrypto's SHA-256 runs on the CPU's SHA instructions where there are
// some; fetched once, and one context per thread, so a link allocates nothing.
const EVP_MD* sha256() {
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kSha256;
}

EVP_MD_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  return context.get();
}

}  // namespace

ChainHash next_chain_hash(const ChainHash& previous, std::string_view canonical_event) {
  EVP_MD_CTX* context = thread_context();
  ChainHash next;
  unsigned int size = 0;
  EVP_DigestInit_ex(context, sha256(), nullptr);
  EVP_DigestUpdate(context, previous.data(), previous.size());
  EVP_DigestUpdate(context, canonical_event.data(), canonical_event.size());
  EVP_DigestFinal_ex(context, next.data(), &size);
  return next;
}
std::string to_hex(const ChainHash& hash) {
  std::string hex(hash.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  hex.pop_back();
  return hex;
}

std::optional<ChainHash> chain_hash_from_hex(std::string_view hex) {
  ChainHash hash;
  std::size_t length = 0;
  const char* end = nullptr;
  if (hex.size() != hash.size() * 2 ||
      sodium_hex2bin(hash.data(), hash.size(), hex.data(), hex.size(), nullptr, &length, &end) !=
          0 ||
      length != hash.size())
    return std::nullopt;
  return hash;
}

std::optional<ChainHash> chain_hash_from_bytes(std::string_view bytes) {
  ChainHash hash;
  if (bytes.size() != hash.size())
    return std::nullopt;
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

}  // namespace agentsudo::server::audit
