// SPDX-License-Identifier: GPL-2.0-or-later
// ReplaySide: sesamed's replay protection as run_daemon assembles it: the in-memory cache, the replay log on disk
// (ENABLE_DIGEST_PERSISTENCE) and the fleet's shared cache in Redis (REPLAY_CACHE_URL), behind one store. Opened
// by the single process, or by the packet side before it drops its privileges (PRIVILEGE_SEPARATION).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "config/server_config.h"
#include "server/daemon/logger.h"
#include "server/daemon/server_command_line.h"
#include "server/persistent_replay_store.h"
#include "server/redis_claimer.h"
#include "server/replay_cache.h"
#include "server/replay_log.h"

namespace sesame::server::daemon {

inline constexpr std::size_t kReplayCacheEntries = 1'000'000;

ReplayLogOptions replay_log_options(const ServerCommandLine& line, const config::ServerConfig& server);

struct ReplaySide {
  ReplayCache cache{kReplayCacheEntries};
  std::optional<ReplayLog> log;
  std::optional<PersistentReplayStore> store;
  std::optional<RedisClaimer> shared;  // reports its state to the logger given to open_replay_side
};

// --rotate-digest-cache: the old log is kept as <path>-old, once per start (never at a packet side's restart).
void rotate_replay_log(const ServerCommandLine& line, const config::ServerConfig& server, Logger& logger);

// Test mode opens neither the log nor Redis. `rotate`: --rotate-digest-cache (the old log is kept as <path>-old).
Result<std::unique_ptr<ReplaySide>, std::string> open_replay_side(const ServerCommandLine& line,
                                                                  const config::ServerConfig& server, Logger& logger,
                                                                  bool rotate);

}  // namespace sesame::server::daemon
