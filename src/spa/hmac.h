// SPDX-License-Identifier: GPL-2.0-or-later
// The HMAC layer (protocol.md §6): HMAC over the full base64 text, appended as unpadded base64.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/secret_bytes.h"
#include "spa/error.h"
#include "spa/nettle_hash.h"
#include "spa/types.h"

namespace sesame::spa {

// Largest HMAC key libfko accepts: the SHA3-256 block size.
constexpr std::size_t kMaxHmacKeySize = 136;

// One object per key: keyed once (the inner and outer hashes of the key), then each packet costs one MAC.
// Not thread-safe: give each thread its own (the daemon is single-threaded).
class HmacAuthenticator {
 public:
  static Result<HmacAuthenticator> create(DigestType type, const SecretBytes& key);

  DigestType type() const { return type_; }
  // Length of the appended tag in base64 characters; the receiver splits the wire payload with it.
  std::size_t tag_length() const { return digest_b64_length(type_); }
  // Unpadded base64 tag of `message`.
  std::string tag(std::string_view message) const;
  // Constant time, so a forger learns nothing from how long a rejection takes.
  bool verify(std::string_view message, std::string_view tag_b64) const;

 private:
  // nettle's HMAC state: the keyed outer and inner hashes, and the working copy that hmac_digest() leaves reset to
  // `inner` after each tag. They are as good as the key, so they are wiped when dropped.
  struct KeyedState {
    HashContext outer;
    HashContext inner;
    HashContext state;
    ~KeyedState();
  };
  HmacAuthenticator(DigestType type, const nettle_hash* hash, std::unique_ptr<KeyedState> keyed)
      : type_(type), hash_(hash), keyed_(std::move(keyed)) {}
  DigestType type_;
  const nettle_hash* hash_;
  std::unique_ptr<KeyedState> keyed_;  // on the heap: moving the authenticator moves no key material
};

}  // namespace sesame::spa
