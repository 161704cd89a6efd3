// SPDX-License-Identifier: GPL-2.0-or-later
// The launcher's watch list: which (address, tcp port) destinations belong to which rc-file stanza. Built once at
// start from the stanzas' SPA_SERVER (resolved to every address it has) and the tcp ports of their ACCESS.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/config_error.h"
#include "config/rc_file.h"
#include "launcher/tcp_destination.h"

namespace sesame::launcher {

struct WatchEntry {
  TcpDestination destination;
  std::string stanza;  // as the rc file spells it in its "[name]" line, or as -n gave it
};

struct WatchList {
  std::vector<WatchEntry> entries;    // one per (address, port); the first stanza to name a destination keeps it
  std::vector<std::string> warnings;  // a destination named by two stanzas

  // The entry for `destination`, or nullptr: a destination no stanza names is never knocked for.
  const WatchEntry* find(const TcpDestination& destination) const;
};

// `names` empty: every stanza (but [default]) whose settings, [default] included, have SPA_SERVER and at least
// one tcp port in ACCESS; the others are left out quietly (they may serve udp or be templates), and none at all
// is an error. `names` given: exactly those stanzas, each of which must exist and have both. SPA_SERVER is
// resolved with getaddrinfo (all addresses; IPv4 only when SERVER_RESOLVE_IPV4 is Y). Errors name file:line, all
// of them, in stanza order.
Result<WatchList, std::vector<config::ConfigError>> build_watch_list(const config::RcFile& file,
                                                                     const std::vector<std::string>& names);

}  // namespace sesame::launcher
