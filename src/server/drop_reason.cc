// SPDX-License-Identifier: GPL-2.0-or-later
// Names and ordering of drop reasons.
#include "server/drop_reason.h"

#include <numeric>

namespace sesame::server {

std::string_view drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::kTooShort:
      return "too_short";
    case DropReason::kTooLong:
      return "too_long";
    case DropReason::kNotSpaData:
      return "not_spa";
    case DropReason::kSource:
      return "source";
    case DropReason::kHmac:
      return "hmac";
    case DropReason::kReplay:
      return "replay";
    case DropReason::kReplayCacheFull:
      return "replay_cache_full";
    case DropReason::kReplayStoreDown:
      return "replay_store_down";
    case DropReason::kDecode:
      return "decode";
    case DropReason::kStale:
      return "stale";
    case DropReason::kSourceRequired:
      return "source";
    case DropReason::kUser:
      return "user";
    case DropReason::kExpiredStanza:
      return "expired_stanza";
    case DropReason::kDeniedPort:
      return "denied_port";
    case DropReason::kCommandNotAllowed:
      return "command";
    case DropReason::kNatNotEnabled:
      return "nat";
    case DropReason::kGpgSignature:
      return "gpg_signature";
  }
  return "unknown";
}

int drop_reason_depth(DropReason reason) {
  return static_cast<int>(reason);
}

std::uint64_t DropCounters::total() const {
  return std::accumulate(counts_.begin(), counts_.end(), std::uint64_t{0});
}

}  // namespace sesame::server
