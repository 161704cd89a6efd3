// SPDX-License-Identifier: GPL-2.0-or-later
// nettle's hash for each DigestType, and one context type big enough for any of them.
#pragma once

#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <nettle/sha3.h>

#include "spa/types.h"

namespace sesame::spa {

// A constant table, not a lookup: nettle has no provider fetch, which is why a knock costs no start-up work
// (docs/performance.md). Null for a value outside the enum (a cast int may be anything).
inline const nettle_hash* nettle_hash_of(DigestType type) {
  switch (type) {
    case DigestType::kMd5:
      return &nettle_md5;
    case DigestType::kSha1:
      return &nettle_sha1;
    case DigestType::kSha256:
      return &nettle_sha256;
    case DigestType::kSha384:
      return &nettle_sha384;
    case DigestType::kSha512:
      return &nettle_sha512;
    case DigestType::kSha3_256:
      return &nettle_sha3_256;
    case DigestType::kSha3_512:
      return &nettle_sha3_512;
  }
  return nullptr;
}

// Storage for any of the contexts above, on the stack or in an object: no allocation per hash.
union HashContext {
  md5_ctx md5;
  sha1_ctx sha1;
  sha256_ctx sha256;
  sha512_ctx sha512;  // also SHA-384's
  sha3_256_ctx sha3_256;
  sha3_512_ctx sha3_512;
};

// The largest digest of a DigestType (SHA-512, SHA3-512).
constexpr std::size_t kMaxDigestSize = 64;

}  // namespace sesame::spa
