// SPDX-License-Identifier: GPL-2.0-or-later
// REPLAY_CACHE_URL: redis://HOST[:PORT][/DB], where a fleet of gateways keeps its shared replay cache.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sesame::config {

struct RedisUrl {
  std::string host;  // a name, an IPv4 address or an IPv6 address (written in brackets in the URL)
  std::uint16_t port = 6379;
  int db = 0;
  std::string to_string() const;  // the URL again, IPv6 hosts bracketed
};

// The error says what is wrong, e.g. `"redis://:secret@h" has a password: not supported` without echoing the
// password (the whole value is not echoed then).
Result<RedisUrl, std::string> parse_redis_url(std::string_view text);

}  // namespace sesame::config
