// SPDX-License-Identifier: GPL-2.0-or-later
// open_replay_side: the replay log (with its one-time import of fwknopd's digest.cache) and the shared cache.
#include "server/daemon/replay_setup.h"

#include <cstdio>
#include <ctime>

#include "config/redis_url.h"

namespace sesame::server::daemon {
namespace {

constexpr std::string_view kDefaultReplayLog = "/var/lib/sesame/replay.log";

}  // namespace

ReplayLogOptions replay_log_options(const ServerCommandLine& line, const config::ServerConfig& server) {
  ReplayLogOptions options;
  options.path = line.replay_log.value_or(std::string(kDefaultReplayLog));
  options.fwknop_digest_cache = server.effective_digest_file();
  options.fwknop_keep_for_s = 2 * server.max_spa_packet_age.count();
  return options;
}

void rotate_replay_log(const ServerCommandLine& line, const config::ServerConfig& server, Logger& logger) {
  if (line.test || !server.enable_digest_persistence) return;
  // fwknopd's --rotate-digest-cache: the admin starts a fresh cache on purpose; the old one is kept aside.
  const std::string path = replay_log_options(line, server).path;
  const std::string old_path = path + "-old";
  if (::rename(path.c_str(), old_path.c_str()) == 0)
    logger.message(LogLevel::kNotice, "Rotated the replay log to " + old_path);
}

Result<std::unique_ptr<ReplaySide>, std::string> open_replay_side(const ServerCommandLine& line,
                                                                  const config::ServerConfig& server, Logger& logger,
                                                                  bool rotate) {
  const std::int64_t now_s = static_cast<std::int64_t>(std::time(nullptr));
  auto side = std::make_unique<ReplaySide>();
  if (!line.test && server.enable_digest_persistence) {
    const ReplayLogOptions options = replay_log_options(line, server);
    if (rotate) rotate_replay_log(line, server, logger);
    auto opened = ReplayLog::open(options, side->cache, now_s);
    if (!opened) return fail(opened.error().message);
    side->log.emplace(std::move(*opened));
    const ReplayLogLoad& load = side->log->loaded();
    logger.message(LogLevel::kInfo,
                   "Replay log " + options.path + ": " + std::to_string(load.live) + " live entries" +
                       (load.imported ? ", " + std::to_string(load.imported) + " imported from fwknopd's digest cache"
                                      : std::string()));
  }
  side->store.emplace(side->cache, side->log ? &*side->log : nullptr);
  // Test mode changes nothing, and a claim in the fleet's shared cache would refuse the packet on the other gateways.
  if (!line.test && server.replay_cache_url) {
    const auto url = config::parse_redis_url(*server.replay_cache_url);  // checked with the rest of the config
    if (!url) return fail("REPLAY_CACHE_URL: " + url.error());
    const bool fail_open = server.replay_cache_failure == config::ReplayLogFailure::kOpen;
    side->shared.emplace(RedisClaimer::Options{.url = *url}, [&logger, fail_open](bool is_up, const std::string& why) {
      if (is_up) return logger.message(LogLevel::kNotice, "Shared replay cache " + why + " answers again");
      logger.message(LogLevel::kError,
                     "Shared replay cache unreachable: " + why +
                         (fail_open ? "; knocks are granted on this gateway's own replay cache (REPLAY_CACHE_FAILURE "
                                      "open)"
                                    : "; knocks are refused until it answers (REPLAY_CACHE_FAILURE closed)"));
    });
    side->store->share_with(*side->shared, fail_open);
    logger.message(LogLevel::kInfo,
                   "Shared replay cache: " + url->to_string() +
                       (fail_open ? " (REPLAY_CACHE_FAILURE open)" : " (REPLAY_CACHE_FAILURE closed)"));
  }
  return side;
}

}  // namespace sesame::server::daemon
