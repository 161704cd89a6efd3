// SPDX-License-Identifier: GPL-2.0-or-later
// AttemptTracker: which connection attempts are new since the last look. sock_diag has no event for a socket
// entering SYN_SENT, so the launcher compares snapshots; a cookie is remembered while its socket stays in
// SYN_SENT and forgotten once it leaves (connected, refused, timed out), which bounds the memory to the sockets
// in SYN_SENT at one moment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_set>
#include <vector>

#include "launcher/syn_sent_socket.h"

namespace sesame::launcher {

class AttemptTracker {
 public:
  // `snapshot`: every watched socket in SYN_SENT now. Returns those whose cookie was in no earlier snapshot (each
  // once, even when a snapshot lists a cookie twice) and forgets the cookies missing from `snapshot`.
  std::vector<SynSentSocket> update(std::span<const SynSentSocket> snapshot);

  std::size_t remembered() const { return seen_.size(); }

 private:
  std::unordered_set<std::uint64_t> seen_;
  std::unordered_set<std::uint64_t> current_;  // kept between calls so its buckets are reused
};

}  // namespace sesame::launcher
