// SPDX-License-Identifier: GPL-2.0-or-later
// The shared replay cache in the router build (SESAME_ROUTER_BUILD, docs/router-build.md): no hiredis. The config
// check already refuses REPLAY_CACHE_URL (config/redis_url_router.cc), so no RedisClaimer is ever made; should one
// be, it never claims, and REPLAY_CACHE_FAILURE decides as for an unreachable cache. Replaces redis_claimer.cc.
#include "server/redis_claimer.h"

namespace sesame::server {

RedisClaimer::RedisClaimer(Options options, StateReport report)
    : options_(std::move(options)), report_(std::move(report)) {}

RedisClaimer::~RedisClaimer() = default;

ReplayClaimer::Claim RedisClaimer::claim(const ReplayDigest& /*digest*/, std::chrono::milliseconds /*keep_for*/) {
  if (!is_down_) {
    is_down_ = true;
    if (report_) report_(false, "not in this router build of sesamed (SESAME_ROUTER_BUILD, no hiredis)");
  }
  return Claim::kUnavailable;
}

}  // namespace sesame::server
