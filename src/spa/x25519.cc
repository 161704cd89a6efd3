// SPDX-License-Identifier: GPL-2.0-or-later
#include "spa/x25519.h"

#include <algorithm>

#include <nettle/curve25519.h>

#include "spa/random.h"

namespace sesame::spa {
namespace {

Result<Ok> check_private_key(const SecretBytes& private_key) {
  if (private_key.size() != kX25519KeySize)
    return error(ErrorCode::kInvalidKey,
                 "an X25519 private key is 32 bytes, not " + std::to_string(private_key.size()));
  return Ok{};
}

}  // namespace

Result<X25519KeyPair> generate_x25519_key_pair() {
  X25519KeyPair pair{SecretBytes(kX25519KeySize), {}};
  if (auto filled = fill_random(pair.private_key.mutable_bytes()); !filled) return fail(filled.error());
  curve25519_mul_g(pair.public_key.data(), pair.private_key.bytes().data());
  return pair;
}

Result<X25519PublicKey> x25519_public_key(const SecretBytes& private_key) {
  if (auto checked = check_private_key(private_key); !checked) return fail(checked.error());
  X25519PublicKey public_key{};
  curve25519_mul_g(public_key.data(), private_key.bytes().data());
  return public_key;
}

Result<SecretBytes> x25519_shared_secret(const SecretBytes& private_key, const X25519PublicKey& peer_public_key) {
  if (auto checked = check_private_key(private_key); !checked) return fail(checked.error());
  SecretBytes shared(kX25519KeySize);
  curve25519_mul(shared.mutable_bytes().data(), private_key.bytes().data(), peer_public_key.data());
  const auto bytes = shared.bytes();
  if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; }))
    return error(ErrorCode::kInvalidKey, "the X25519 public key is a low-order point");
  return shared;
}

}  // namespace sesame::spa
