// SPDX-License-Identifier: GPL-2.0-or-later
// DigestSet: the seven digest types through nettle, one stack context per hash.
#include "spa/digest.h"

#include <string.h>  // explicit_bzero

#include <array>

#include "spa/base64.h"
#include "spa/nettle_hash.h"

namespace sesame::spa {

std::string DigestSet::base64_digest(DigestType type, std::string_view data) const {
  const nettle_hash* hash = nettle_hash_of(type);
  if (hash == nullptr) return {};
  HashContext context;
  std::array<std::uint8_t, kMaxDigestSize> digest{};
  hash->init(&context);
  hash->update(&context, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
  hash->digest(&context, hash->digest_size, digest.data());
  explicit_bzero(&context, sizeof context);  // it hashed a plaintext: no copy of it stays on the stack
  return base64_encode(std::span<const std::uint8_t>(digest.data(), hash->digest_size));
}

std::string base64_digest(DigestType type, std::string_view data) {
  return DigestSet().base64_digest(type, data);
}

std::string replay_digest(std::string_view wire_payload) {
  return base64_digest(DigestType::kSha256, wire_payload);
}

}  // namespace sesame::spa
