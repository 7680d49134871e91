#include "server/audit/signing_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace agentsudo::server::audit {
namespace {

using Seed = std::array<unsigned char, crypto_sign_SEEDBYTES>;

Error key_error(const std::filesystem::path& file, const std::string& what) {
  return make_error(ErrorKind::kInternal, "audit signing key " + file.string() + ": " + what +
                                              ": " + std::strerror(errno));
}

// Exactly the seed's bytes, or an error: a short or long file is no key.
Result<Seed> read_seed(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return key_error(file, "cannot open");
  Seed seed;
  unsigned char extra = 0;
  ssize_t got = ::read(fd, seed.data(), seed.size());
  ssize_t more = ::read(fd, &extra, 1);
  ::close(fd);
  if (got != static_cast<ssize_t>(seed.size()) || more != 0) {
    errno = EINVAL;
    return key_error(file, "not a 32-byte key file");
  }
  return seed;
}

Result<Seed> create_seed(const std::filesystem::path& file) {
  Seed seed;
  randombytes_buf(seed.data(), seed.size());
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return key_error(file, "cannot create");
  bool written = ::write(fd, seed.data(), seed.size()) == static_cast<ssize_t>(seed.size()) &&
                 ::fsync(fd) == 0;
  ::close(fd);
  if (!written)
    return key_error(file, "cannot write");
  return seed;
}

}  // namespace

Result<SigningKey> SigningKey::load_or_create(const std::filesystem::path& file) {
  if (sodium_init() < 0)
    return make_error(ErrorKind::kInternal, "libsodium failed to initialise");
  std::error_code ec;
  auto seed = std::filesystem::exists(file, ec) ? read_seed(file) : create_seed(file);
  if (!seed && seed.error().message.find("cannot create") != std::string::npos &&
      std::filesystem::exists(file, ec))
    seed = read_seed(file);  // another process created it first
  if (!seed)
    return seed.error();
  SigningKey key;
  crypto_sign_seed_keypair(key.public_key_.data(), key.secret_key_.data(), seed->data());
  sodium_memzero(seed->data(), seed->size());
  return key;
}

Signature SigningKey::sign(std::string_view message) const {
  Signature signature;
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_key_.data());
  return signature;
}

bool signature_is_valid(const PublicKey& key, std::string_view message,
                        const Signature& signature) {
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

std::string to_base64(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string text(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  text.pop_back();  // the terminating NUL
  return text;
}

std::optional<std::string> from_base64(std::string_view text) {
  std::string bytes(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), " \n\r\t", &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  bytes.resize(length);
  return bytes;
}

std::string public_key_text(const PublicKey& key) {
  return to_base64(as_bytes(key));
}

std::optional<PublicKey> public_key_from_text(std::string_view text) {
  auto bytes = from_base64(text);
  PublicKey key;
  if (!bytes || bytes->size() != key.size())
    return std::nullopt;
  std::memcpy(key.data(), bytes->data(), key.size());
  return key;
}

}  // namespace agentsudo::server::audit
