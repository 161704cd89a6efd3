// SPDX-License-Identifier: GPL-2.0-or-later
// AttemptTracker: snapshot difference by socket cookie.
#include "launcher/attempt_tracker.h"

#include <utility>

namespace sesame::launcher {

std::vector<SynSentSocket> AttemptTracker::update(std::span<const SynSentSocket> snapshot) {
  std::vector<SynSentSocket> fresh;
  current_.clear();
  for (const auto& socket : snapshot) {
    if (!current_.insert(socket.cookie).second) continue;  // listed twice in one snapshot
    if (!seen_.contains(socket.cookie)) fresh.push_back(socket);
  }
  std::swap(seen_, current_);
  return fresh;
}

}  // namespace sesame::launcher
