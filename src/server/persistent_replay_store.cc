// SPDX-License-Identifier: GPL-2.0-or-later
// PersistentReplayStore: remember in memory, and buffer the record for the log's per-burst flush.
#include "server/persistent_replay_store.h"

#include <algorithm>
#include <chrono>

namespace sesame::server {

bool PersistentReplayStore::contains(const ReplayDigest& digest, std::int64_t now_s) {
  return cache_->contains(replay_key(digest), now_s);
}

ReplayStore::Insert PersistentReplayStore::insert(const ReplayDigest& digest, std::int64_t now_s,
                                                  std::int64_t keep_until_s) {
  const ReplayKey key = replay_key(digest);
  switch (cache_->check_and_insert(key, now_s, keep_until_s)) {
    case ReplayCache::Verdict::kReplay:
      return Insert::kReplay;
    case ReplayCache::Verdict::kFull:
      return Insert::kFull;
    case ReplayCache::Verdict::kFresh:
      break;
  }
  // The daemon flushes once per receive burst, far below the log's buffer; should it ever fill, the packet is
  // dropped (it is remembered in memory, so a resend is a replay): fail closed, never grant unlogged.
  if (log_ != nullptr && !log_->append(key, keep_until_s)) return Insert::kFull;
  if (shared_ == nullptr) return Insert::kFresh;
  // Only after the local checks: a replay to this gateway costs no round trip, and the local entry stays even
  // when the shared claim is lost, so a resend here is refused locally.
  const auto keep_for = std::chrono::seconds(std::max<std::int64_t>(keep_until_s - now_s, 1));
  switch (shared_->claim(digest, keep_for)) {
    case ReplayClaimer::Claim::kClaimed:
      return Insert::kFresh;
    case ReplayClaimer::Claim::kTaken:
      return Insert::kReplay;
    case ReplayClaimer::Claim::kUnavailable:
      break;
  }
  ++shared_unavailable_;
  return shared_fail_open_ ? Insert::kFresh : Insert::kUnavailable;
}

bool PersistentReplayStore::is_fwknop_replay(std::string_view wire, std::int64_t now_s) {
  if (log_ == nullptr || now_s > log_->fwknop_digests_until_s()) return false;
  return cache_->contains(replay_key(digester_.fwknop(wire)), now_s);
}

}  // namespace sesame::server
