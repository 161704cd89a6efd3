// SPDX-License-Identifier: GPL-2.0-or-later
// HmacAuthenticator over nettle's generic HMAC, keyed once per stanza.
#include "spa/hmac.h"

#include <string.h>  // explicit_bzero

#include <array>

#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "spa/base64.h"

namespace sesame::spa {

HmacAuthenticator::KeyedState::~KeyedState() {
  explicit_bzero(this, sizeof *this);  // a plain memset may be optimised away
}

Result<HmacAuthenticator> HmacAuthenticator::create(DigestType type, const SecretBytes& key) {
  if (key.empty()) return error(ErrorCode::kInvalidKey, "HMAC key is empty");
  if (key.size() > kMaxHmacKeySize)
    return error(ErrorCode::kInvalidKey, "HMAC key longer than " + std::to_string(kMaxHmacKeySize) + " bytes");
  const nettle_hash* hash = nettle_hash_of(type);
  if (hash == nullptr) return error(ErrorCode::kInvalidArgument, "not an HMAC digest type");
  auto keyed = std::make_unique<KeyedState>();
  // A key longer than the hash's block is hashed first, as RFC 2104 (and so libfko) does.
  hmac_set_key(&keyed->outer, &keyed->inner, &keyed->state, hash, key.size(), key.bytes().data());
  return HmacAuthenticator(type, hash, std::move(keyed));
}

std::string HmacAuthenticator::tag(std::string_view message) const {
  std::array<std::uint8_t, kMaxDigestSize> mac{};
  KeyedState& keyed = *keyed_;
  hmac_update(&keyed.state, hash_, message.size(), reinterpret_cast<const std::uint8_t*>(message.data()));
  hmac_digest(&keyed.outer, &keyed.inner, &keyed.state, hash_, hash_->digest_size, mac.data());
  return base64_encode(std::span<const std::uint8_t>(mac.data(), hash_->digest_size));
}

bool HmacAuthenticator::verify(std::string_view message, std::string_view tag_b64) const {
  const std::string expected = tag(message);
  return !expected.empty() && expected.size() == tag_b64.size() &&
         memeql_sec(expected.data(), tag_b64.data(), expected.size()) != 0;
}

}  // namespace sesame::spa
