// SPDX-License-Identifier: GPL-2.0-or-later
// REPLAY_CACHE_URL in the router build (SESAME_ROUTER_BUILD, docs/router-build.md): there is no Redis client
// (hiredis), so the setting is refused where the config is checked, with its file:line, instead of sesamed starting
// with a shared cache it can never reach. Replaces redis_url.cc.
#include "config/redis_url.h"

namespace sesame::config {

std::string RedisUrl::to_string() const {
  return "redis://" + host;  // never shown: no URL parses in this build
}

Result<RedisUrl, std::string> parse_redis_url(std::string_view /*text*/) {
  return fail(
      std::string("a shared replay cache is not in this router build of sesamed (SESAME_ROUTER_BUILD, "
                  "no hiredis)"));
}

}  // namespace sesame::config
