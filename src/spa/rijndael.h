// SPDX-License-Identifier: GPL-2.0-or-later
// The Rijndael layer (protocol.md §4): OpenSSL-compatible "Salted__" framing, MD5 EVP_BytesToKey, AES-256
// in the five supported modes plus fwknop's legacy-IV key handling, PKCS#7 padding in every mode.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/secret_bytes.h"
#include "spa/error.h"
#include "spa/types.h"

namespace sesame::spa {

constexpr std::size_t kSaltSize = 8;
constexpr std::size_t kAesBlockSize = 16;
constexpr std::size_t kMaxRijndaelKeySize = 32;
constexpr std::string_view kSaltedMagic = "Salted__";
using Salt = std::array<std::uint8_t, kSaltSize>;

// Key and IV of EVP_BytesToKey(MD5, 1 round) for one salt: AES-256 always, whatever the passphrase length.
struct DerivedKey {
  SecretBytes key{32};
  SecretBytes iv{16};
};

// One object per key and mode. Key and IV depend on each packet's salt, so each packet derives its own, keys AES
// on the stack and wipes both. Not thread-safe.
class RijndaelCipher {
 public:
  static Result<RijndaelCipher> create(EncryptionMode mode, const SecretBytes& passphrase);

  EncryptionMode mode() const { return mode_; }
  // "Salted__" + salt + AES(PKCS#7(plaintext)).
  Result<std::string> encrypt(std::string_view plaintext, const Salt& salt);
  // The inverse, with libfko's lenient unpadding and its length checks; no plaintext content check here.
  Result<std::string> decrypt(std::span<const std::uint8_t> blob);

  Result<DerivedKey> derive(const Salt& salt);

 private:
  RijndaelCipher(EncryptionMode mode, SecretBytes passphrase) : mode_(mode), passphrase_(std::move(passphrase)) {}
  Result<std::string> run(bool encrypting, const Salt& salt, std::span<const std::uint8_t> input);

  EncryptionMode mode_;
  SecretBytes passphrase_;  // already '0'-padded and truncated in legacy mode
};

}  // namespace sesame::spa
