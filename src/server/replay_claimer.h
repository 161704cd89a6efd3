// SPDX-License-Identifier: GPL-2.0-or-later
// A replay cache shared by several gateways behind one address (REPLAY_CACHE_URL): each fresh digest is claimed
// there, and only the gateway whose claim wins grants the packet, so a packet replayed to another node is refused.
#pragma once

#include <chrono>

#include "server/replay_digest.h"

namespace sesame::server {

class ReplayClaimer {
 public:
  enum class Claim {
    kClaimed,      // first: this gateway may grant
    kTaken,        // another gateway (or this one) claimed it before: a replay
    kUnavailable,  // the shared cache did not answer; REPLAY_CACHE_FAILURE decides
  };
  virtual ~ReplayClaimer() = default;
  // `keep_for`: until the packet would be stale anyway, so the shared entry may go then.
  virtual Claim claim(const ReplayDigest& digest, std::chrono::milliseconds keep_for) = 0;
};

}  // namespace sesame::server
