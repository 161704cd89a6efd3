// SPDX-License-Identifier: GPL-2.0-or-later
// Random keys from the OS random source, base64 with padding as fwknop prints them.
#include "spa/key_gen.h"

#include "common/secret_bytes.h"
#include "spa/base64.h"
#include "spa/random.h"
#include "spa/x25519.h"

namespace sesame::spa {
namespace {

Result<std::string> random_base64(std::size_t length) {
  SecretBytes bytes(length);
  if (auto filled = fill_random(bytes.mutable_bytes()); !filled) return fail(filled.error());
  return base64_encode_padded(bytes.bytes());
}

}  // namespace

std::optional<std::size_t> default_hmac_key_length(DigestType hmac_type) {
  switch (hmac_type) {
    case DigestType::kMd5:
      return 16;
    case DigestType::kSha1:
      return 20;
    case DigestType::kSha256:
      return 64;
    case DigestType::kSha384:
    case DigestType::kSha512:
      return 128;
    case DigestType::kSha3_256:
      return 32;
    case DigestType::kSha3_512:
      return 64;
  }
  return std::nullopt;
}

std::string GeneratedKeys::to_text() const {
  return "KEY_BASE64: " + key_base64 + "\nHMAC_KEY_BASE64: " + hmac_key_base64 + "\n";
}

Result<GeneratedKeys> generate_keys(DigestType hmac_type, std::size_t key_length,
                                    std::optional<std::size_t> hmac_key_length) {
  const std::size_t hmac_length = hmac_key_length.value_or(default_hmac_key_length(hmac_type).value_or(0));
  if (key_length < 1 || key_length > kMaxGeneratedKeyLength)
    return error(ErrorCode::kInvalidArgument, "key length must be 1..128 bytes");
  if (hmac_length < 1 || hmac_length > kMaxGeneratedKeyLength)
    return error(ErrorCode::kInvalidArgument, "HMAC key length must be 1..128 bytes");
  auto key = random_base64(key_length);
  if (!key) return fail(key.error());
  auto hmac = random_base64(hmac_length);
  if (!hmac) return fail(hmac.error());
  return GeneratedKeys{std::move(*key), std::move(*hmac)};
}

Result<std::string> generate_modern_key_text(ModernKeyOwner owner) {
  auto pair = generate_x25519_key_pair();
  if (!pair) return fail(pair.error());
  const bool is_server = owner == ModernKeyOwner::kServer;
  return std::string(is_server ? "MODERN_SERVER_PRIVATE_KEY_BASE64: " : "MODERN_PRIVATE_KEY_BASE64: ") +
         base64_encode_padded(pair->private_key.bytes()) + "\n" +
         (is_server ? "MODERN_SERVER_PUBLIC_KEY_BASE64: " : "MODERN_CLIENT_PUBLIC_KEY_BASE64: ") +
         base64_encode_padded(pair->public_key) + "\n";
}

}  // namespace sesame::spa
