// SPDX-License-Identifier: GPL-2.0-or-later
// Hashes of the protocol: the inner digest of the plaintext and the replay digest of the wire payload.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/openssl_ptr.h"
#include "spa/types.h"

namespace sesame::spa {

// OpenSSL's name for a digest type ("SHA3-256"), for fetching it or naming it in an HMAC.
const char* openssl_digest_name(DigestType type);

// Holds the fetched hash algorithms, so that hashing a packet costs no algorithm lookup. Each is fetched on
// first use: a client hashes with one digest type, and OpenSSL's first fetch of each is slow. Not thread-safe.
class DigestSet {
 public:
  DigestSet();
  // Unpadded base64 of HASH(data); empty only if OpenSSL fails.
  std::string base64_digest(DigestType type, std::string_view data) const;

 private:
  mutable std::array<MdPtr, 8> algorithms_;  // indexed by DigestType; fetched on first use
  MdCtxPtr context_;  // reused per hash: no allocation on the packet path (hence not thread-safe)
};

// One-shot helpers for callers outside the packet path.
std::string base64_digest(DigestType type, std::string_view data);
// fwknopd's replay-cache key: unpadded base64 of SHA256 of the wire payload as received (protocol.md §9).
std::string replay_digest(std::string_view wire_payload);

}  // namespace sesame::spa
