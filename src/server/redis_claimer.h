// SPDX-License-Identifier: GPL-2.0-or-later
// RedisClaimer: REPLAY_CACHE_URL's shared replay cache in Redis (hiredis). One atomic `SET key 1 NX PX <ms>` per
// fresh packet claims its digest; the answer OK means first, nil means another gateway had it. Every call is
// synchronous and bounded by `timeout`; after a failure the server is not asked again for `retry_after`, so a
// dead Redis costs a flood one timeout per interval, not one per packet.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "config/redis_url.h"
#include "server/replay_claimer.h"

struct redisContext;

namespace sesame::server {

class RedisClaimer final : public ReplayClaimer {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    config::RedisUrl url;
    std::chrono::milliseconds timeout{250};  // connect, and each command
    std::chrono::milliseconds retry_after{1000};
  };
  // Told once when the shared cache stops answering (is_up false, with why) and once when it answers again.
  using StateReport = std::function<void(bool is_up, const std::string& why)>;

  RedisClaimer(Options options, StateReport report);
  ~RedisClaimer() override;
  RedisClaimer(const RedisClaimer&) = delete;
  RedisClaimer& operator=(const RedisClaimer&) = delete;

  Claim claim(const ReplayDigest& digest, std::chrono::milliseconds keep_for) override;

  // The key a digest is claimed under: "sesame:replay:" and its 64 hex digits.
  static std::string key_of(const ReplayDigest& digest);

 private:
  bool connect(std::string& why);
  Claim unavailable(const std::string& why);

  Options options_;
  StateReport report_;
  redisContext* context_ = nullptr;
  Clock::time_point retry_at_{};
  bool is_down_ = false;
};

}  // namespace sesame::server
