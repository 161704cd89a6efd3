// SPDX-License-Identifier: GPL-2.0-or-later
// CMD_CYCLE_OPEN/CLOSE expansion: the $VAR substitutions of server.md §6, in fwknopd's order and with its quirks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/access_stanza.h"
#include "server/access_request.h"

namespace sesame::server::exec {

// fwknop's CMD_CYCLE_BUFSIZE: an expanded command must be shorter than this.
inline constexpr std::size_t kCycleCommandBufferSize = 256;

struct CycleValues {
  std::string ip;                   // $IP: the effective allow IP (server.md §4 step 10)
  std::string src;                  // $SRC: the same
  std::string pkt_src;              // $PKT_SRC: network-layer source of the SPA packet
  std::string dst;                  // $DST: network-layer destination (0.0.0.0 in UDP-server mode)
  std::uint16_t port = 0;           // $PORT: the first requested port
  int proto = 0;                    // $PROTO: the first requested protocol as a number (6, 17)
  std::int64_t timeout_epoch = 0;   // $TIMEOUT: SPA timestamp + client_timeout
  std::int64_t client_timeout = 0;  // $CLIENT_TIMEOUT: the client's timeout, or CMD_CYCLE_TIMER when it sent 0;
                                    // also how long until CMD_CYCLE_CLOSE runs
};

// `client_timeout` is the timeout field of the SPA message as sent (0: none), before any MAX_FW_TIMEOUT cap:
// AccessRequest::timeout cannot tell "none" from "equal to FW_ACCESS_TIMEOUT". Fails when the request has no
// tcp/udp port (a command message, or an access string of icmp/none), as fwknopd's build_cmd() does.
//
// fwknopd does not cap a cycle's client timeout with MAX_FW_TIMEOUT, so a client could keep a cycle open for
// up to 2^32 s; here it is capped like every other client timeout.
Result<CycleValues, std::string> cycle_values(const AccessRequest& request, const config::AccessStanza& stanza,
                                              std::chrono::seconds client_timeout);

// Replaces $IP, $SRC, $PKT_SRC, $DST, $PORT, $PROTO, $TIMEOUT, $CLIENT_TIMEOUT, tested in that order as
// prefixes of what follows the '$' ("$IPX" is the IP then "X"); any other '$' is dropped and what follows kept
// ("$FOO" becomes "FOO"). Fails when the result has kCycleCommandBufferSize characters or more (fwknopd fails
// only when a literal character reaches the limit and silently truncates a substitution there).
Result<std::string, std::string> expand_cycle_command(std::string_view templ, const CycleValues& values);

}  // namespace sesame::server::exec
