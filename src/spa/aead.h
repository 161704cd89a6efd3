// SPDX-License-Identifier: GPL-2.0-or-later
// The AEADs of modern mode, through nettle: ChaCha20-Poly1305 (RFC 8439) and AES-256-GCM, 96-bit nonces,
// 128-bit tags. One object per key, keyed once; each packet pays only for its own bytes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nettle/chacha-poly1305.h>
#include <nettle/gcm.h>

#include "common/secret_bytes.h"
#include "spa/error.h"

namespace sesame::spa {

// The suite byte of a modern packet.
enum class AeadSuite : std::uint8_t { kChaCha20Poly1305 = 1, kAes256Gcm = 2 };
constexpr AeadSuite kDefaultAeadSuite = AeadSuite::kChaCha20Poly1305;

constexpr std::size_t kAeadKeySize = 32;
constexpr std::size_t kAeadNonceSize = 12;
constexpr std::size_t kAeadTagSize = 16;
using AeadNonce = std::array<std::uint8_t, kAeadNonceSize>;

// "chacha20-poly1305" and "aes-256-gcm", the names of MODERN_AEAD; case-insensitive.
std::optional<AeadSuite> parse_aead_suite(std::string_view name);
std::string_view aead_suite_name(AeadSuite suite);
bool is_known_aead_suite(std::uint8_t value);

class Aead {
 public:
  static Result<Aead> create(AeadSuite suite, const SecretBytes& key);

  AeadSuite suite() const { return suite_; }
  // Ciphertext followed by the 16-byte tag.
  std::vector<std::uint8_t> seal(const AeadNonce& nonce, std::span<const std::uint8_t> associated_data,
                                 std::string_view plaintext);
  // The plaintext, or nothing when the tag does not verify (compared in constant time; no plaintext escapes).
  std::optional<std::string> open(const AeadNonce& nonce, std::span<const std::uint8_t> associated_data,
                                  std::span<const std::uint8_t> sealed);

 private:
  // The keyed contexts (for GCM, the expanded AES key and the hash subkey): as good as the key, wiped when dropped.
  struct KeyedState {
    chacha_poly1305_ctx chacha{};
    gcm_aes256_ctx gcm{};
    ~KeyedState();
  };
  Aead(AeadSuite suite, std::unique_ptr<KeyedState> keyed) : suite_(suite), keyed_(std::move(keyed)) {}
  // Starts one message: the nonce and the associated data; returns the tag once the text is processed.
  void begin(const AeadNonce& nonce, std::span<const std::uint8_t> associated_data);
  void crypt(bool encrypt, std::size_t size, std::uint8_t* out, const std::uint8_t* in);
  std::array<std::uint8_t, kAeadTagSize> finish();

  AeadSuite suite_;
  std::unique_ptr<KeyedState> keyed_;  // on the heap: moving the object moves no key material
};

}  // namespace sesame::spa
