// SPDX-License-Identifier: GPL-2.0-or-later
// PersistentReplayStore: the pipeline's ReplayStore over the in-memory ReplayCache and, unless in test mode, the
// ReplayLog on disk; with REPLAY_CACHE_URL each fresh digest is also claimed in the cache a fleet of gateways
// shares. Also honours digests imported from fwknopd's digest.cache, which hash the wire as received.
#pragma once

#include <cstdint>
#include <string_view>

#include "server/pipeline.h"
#include "server/replay_cache.h"
#include "server/replay_claimer.h"
#include "server/replay_digest.h"
#include "server/replay_log.h"

namespace sesame::server {

class PersistentReplayStore final : public ReplayStore {
 public:
  // `log` may be null (test mode: fwknopd -t writes no digest cache either). Both must outlive the store.
  PersistentReplayStore(ReplayCache& cache, ReplayLog* log) : cache_(&cache), log_(log) {}

  bool contains(const ReplayDigest& digest, std::int64_t now_s) override;
  Insert insert(const ReplayDigest& digest, std::int64_t now_s, std::int64_t keep_until_s) override;

  // A packet fwknopd already accepted before the switch to sesamed (its digest.cache, imported at first start).
  bool is_fwknop_replay(std::string_view wire, std::int64_t now_s);

  ReplayCache& cache() { return *cache_; }
  ReplayLog* log() { return log_; }

  // After a fresh local insert, the digest is claimed in `shared` (which must outlive the store); a digest it says
  // is taken is a replay. When it cannot answer: a replay too (fail closed), or with `fail_open` fresh; either way
  // counted in shared_unavailable().
  void share_with(ReplayClaimer& shared, bool fail_open) {
    shared_ = &shared;
    shared_fail_open_ = fail_open;
  }
  std::uint64_t shared_unavailable() const { return shared_unavailable_; }

 private:
  ReplayCache* cache_;
  ReplayLog* log_;
  ReplayClaimer* shared_ = nullptr;
  bool shared_fail_open_ = false;
  std::uint64_t shared_unavailable_ = 0;
  ReplayDigester digester_;
};

}  // namespace sesame::server
