// SPDX-License-Identifier: GPL-2.0-or-later
// Hashes of the protocol: the inner digest of the plaintext and the replay digest of the wire payload.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "spa/types.h"

namespace sesame::spa {

// The seven digest types through nettle. Stateless now that nettle needs no algorithm fetch and its contexts live
// on the stack; still a type because the codecs take one. Thread-safe.
class DigestSet {
 public:
  DigestSet() = default;
  // Unpadded base64 of HASH(data); empty only for a value outside DigestType.
  std::string base64_digest(DigestType type, std::string_view data) const;
};

// One-shot helpers for callers outside the packet path.
std::string base64_digest(DigestType type, std::string_view data);
// fwknopd's replay-cache key: unpadded base64 of SHA256 of the wire payload as received (protocol.md §9).
std::string replay_digest(std::string_view wire_payload);

}  // namespace sesame::spa
