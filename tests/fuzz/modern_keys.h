// SPDX-License-Identifier: GPL-2.0-or-later
// The fixed key pairs of modern_decode_fuzz.cc and its seed corpus (make_seed_corpus.cc): RFC 7748's Alice as the
// client, Bob as the server, so seeds and target agree.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>

#include "spa/modern_codec.h"

namespace sesame::fuzz {

inline SecretBytes fuzz_private_key(bool server) {
  static constexpr std::array<std::uint8_t, 32> kAlice = {
      0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
      0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
  static constexpr std::array<std::uint8_t, 32> kBob = {
      0x5d, 0xab, 0x08, 0x7e, 0x62, 0x4a, 0x8a, 0x4b, 0x79, 0xe1, 0x7f, 0x8b, 0x83, 0x80, 0x0e, 0xe6,
      0x6f, 0x3b, 0xb1, 0x29, 0x26, 0x18, 0xb6, 0xfd, 0x1c, 0x2f, 0x8b, 0x27, 0xff, 0x88, 0xe0, 0xeb};
  return SecretBytes(server ? std::span<const std::uint8_t>(kBob) : std::span<const std::uint8_t>(kAlice));
}

// Index 0: ChaCha20-Poly1305, 1: AES-256-GCM.
inline spa::ModernCodec fuzz_modern_codec(bool server, spa::AeadSuite suite) {
  const auto peer = spa::x25519_public_key(fuzz_private_key(!server));
  if (!peer) std::abort();
  auto codec = server ? spa::ModernCodec::for_server(suite, fuzz_private_key(true), *peer)
                      : spa::ModernCodec::for_client(suite, fuzz_private_key(false), *peer);
  if (!codec) std::abort();
  return std::move(*codec);
}

}  // namespace sesame::fuzz
