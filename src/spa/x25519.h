// SPDX-License-Identifier: GPL-2.0-or-later
// X25519 (RFC 7748) for modern mode: key pairs and the Diffie-Hellman shared secret, through nettle.
#pragma once

#include <array>
#include <cstdint>

#include "common/secret_bytes.h"
#include "spa/error.h"

namespace sesame::spa {

constexpr std::size_t kX25519KeySize = 32;
using X25519PublicKey = std::array<std::uint8_t, kX25519KeySize>;

struct X25519KeyPair {
  SecretBytes private_key;  // 32 random bytes; clamped by the scalar multiplication, as RFC 7748 says
  X25519PublicKey public_key{};
};

Result<X25519KeyPair> generate_x25519_key_pair();
// Refuses a private key that is not 32 bytes.
Result<X25519PublicKey> x25519_public_key(const SecretBytes& private_key);
// Refuses an all-zero result: the peer sent a low-order point, and the "secret" would be known to everyone.
Result<SecretBytes> x25519_shared_secret(const SecretBytes& private_key, const X25519PublicKey& peer_public_key);

}  // namespace sesame::spa
