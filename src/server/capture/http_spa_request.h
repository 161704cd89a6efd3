// SPDX-License-Identifier: GPL-2.0-or-later
// SPA over HTTP (protocol.md §12.4, server.md §4 step 2): the SPA payload and X-Forwarded-For taken out of the
// GET request that `fwknop -P http` / `sesame -P http` sends. Pure: bytes in, struct out, no I/O, no logging.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/network_match.h"

namespace sesame::server::capture {

// The largest request head sesame takes: what TcpSpaServer reads per connection. fwknopd only ever saw one
// captured packet (≤ 1500 bytes), so every request a real client sends fits with room to spare.
constexpr std::size_t kMaxHttpRequestBytes = 4096;

struct HttpSpaOptions {
  bool allow_any_user_agent = false;  // ALLOW_ANY_USER_AGENT (fwknopd 2.6.11)
  bool use_x_forwarded_for = false;   // ENABLE_X_FORWARDED_FOR
};

struct HttpSpaRequest {
  std::string payload;  // the wire string: URL-safe '-' and '_' turned back into '+' and '/'
  // The X-Forwarded-For address, when enabled and valid: server.md §4 step 10 grants it instead of the packet
  // source when the SPA allow-IP is 0.0.0.0.
  std::optional<config::IpAddress> forwarded_for;
  // An X-Forwarded-For header was present (and enabled) but is not one address: fwknopd logs a warning and goes
  // on with the packet source, and so does the daemon, which may count or log this.
  bool has_invalid_forwarded_for = false;
};

enum class HttpReject {
  kNotHttp,     // does not start with "GET /" (any case), or holds a NUL byte
  kIncomplete,  // no empty line ending the request head
  kUserAgent,   // no "User-Agent: Fwknop..." header and ALLOW_ANY_USER_AGENT is off
  kBadPath,     // the path is empty or the request line is malformed
  kTooShort,    // the SPA payload is shorter than fwknopd's 140 bytes
  kTooLong,     // the request exceeds kMaxHttpRequestBytes, or the payload fwknopd's 1500 bytes
};

std::string_view to_string(HttpReject reject);

// What the daemon asks of every payload when ENABLE_SPA_OVER_HTTP is on, whatever the capture (UDP, pcap, TCP):
// fwknopd unwraps any payload that starts with "GET /" (case-insensitive) and hands all others on as bare SPA
// data (server.md §4 step 2).
bool looks_like_http_request(std::string_view bytes);

// The request as fwknopd accepts it (protocol.md §12.4), with the differences documented in the .cc.
Result<HttpSpaRequest, HttpReject> parse_http_spa_request(std::string_view bytes, const HttpSpaOptions& options);

}  // namespace sesame::server::capture
