// SPDX-License-Identifier: GPL-2.0-or-later
// The HMAC layer (protocol.md §6): HMAC over the full base64 text, appended as unpadded base64.
#pragma once

#include <string>
#include <string_view>

#include "common/openssl_ptr.h"
#include "common/secret_bytes.h"
#include "spa/error.h"
#include "spa/types.h"

namespace sesame::spa {

// Largest HMAC key libfko accepts: the SHA3-256 block size.
constexpr std::size_t kMaxHmacKeySize = 136;

// One object per key: the algorithm is fetched and keyed once, then each packet costs one MAC.
// Not thread-safe: give each thread its own (the daemon is single-threaded).
class HmacAuthenticator {
 public:
  static Result<HmacAuthenticator> create(DigestType type, const SecretBytes& key);

  DigestType type() const { return type_; }
  // Length of the appended tag in base64 characters; the receiver splits the wire payload with it.
  std::size_t tag_length() const { return digest_b64_length(type_); }
  // Unpadded base64 tag of `message`; empty if OpenSSL fails.
  std::string tag(std::string_view message) const;
  // Constant time, so a forger learns nothing from how long a rejection takes.
  bool verify(std::string_view message, std::string_view tag_b64) const;

 private:
  HmacAuthenticator(DigestType type, MacCtxPtr ctx) : type_(type), ctx_(std::move(ctx)) {}
  DigestType type_;
  mutable MacCtxPtr ctx_;  // keyed once; re-initialised with a null key per message (same key, fresh state)
};

}  // namespace sesame::spa
