// SPDX-License-Identifier: GPL-2.0-or-later
// Key generation in the format of `fwknop --key-gen` (protocol.md §13).
#pragma once

#include <optional>
#include <string>

#include "spa/error.h"
#include "spa/types.h"

namespace sesame::spa {

constexpr std::size_t kDefaultKeyLength = 32;
constexpr std::size_t kMaxGeneratedKeyLength = 128;

// Default HMAC key length per HMAC type; fwknop has none for SHA3 and then needs --hmac-key-len.
std::optional<std::size_t> default_hmac_key_length(DigestType hmac_type);

struct GeneratedKeys {
  std::string key_base64;       // padded base64, as fwknop prints it
  std::string hmac_key_base64;  // padded base64
  // "KEY_BASE64: ...\nHMAC_KEY_BASE64: ...\n": pastable into an rc file or access.conf.
  std::string to_text() const;
};

// Lengths in bytes, 1..128; hmac_key_length defaults by type. Unlike fwknop, SHA3 types default to their
// digest-block-safe length (32 for SHA3-256, 64 for SHA3-512) instead of failing; see docs/compat.md.
Result<GeneratedKeys> generate_keys(DigestType hmac_type, std::size_t key_length = kDefaultKeyLength,
                                    std::optional<std::size_t> hmac_key_length = std::nullopt);

// Modern mode (docs/modern-mode.md): a fresh X25519 key pair, as the lines to paste. The client's:
// "MODERN_PRIVATE_KEY_BASE64: ..." (its rc file) and "MODERN_CLIENT_PUBLIC_KEY_BASE64: ..." (the server's
// access.conf); the server's: "MODERN_SERVER_PRIVATE_KEY_BASE64: ..." (access.conf) and
// "MODERN_SERVER_PUBLIC_KEY_BASE64: ..." (each client's rc file).
enum class ModernKeyOwner { kClient, kServer };
Result<std::string> generate_modern_key_text(ModernKeyOwner owner);

}  // namespace sesame::spa
