// SPDX-License-Identifier: GPL-2.0-or-later
// send_spa_packet: checks the combination of transport options, then hands the wire string to its transport.
#include "client/spa_sender.h"

#include <sys/socket.h>

#include "client/transport.h"

namespace sesame::client {
namespace {

bool is_raw(config::SpaProtocol protocol) {
  return protocol == config::SpaProtocol::kUdpRaw || protocol == config::SpaProtocol::kTcpRaw ||
         protocol == config::SpaProtocol::kIcmp;
}

}  // namespace

int address_family_for(const SendRequest& request) {
  if (request.ipv4_only) return AF_INET;
  if (request.ipv6_only) return AF_INET6;
  return AF_UNSPEC;
}

Result<SendReport> send_spa_packet(std::string_view wire, const SendRequest& request) {
  // The CLI validates these too; repeating the checks keeps a library caller from sending something other than
  // what it asked for (an unspoofed packet, a direct request that was meant to go through a proxy).
  if (wire.empty()) return fail(ClientError{"no SPA data to send"});
  if (request.ipv4_only && request.ipv6_only) {
    return fail(ClientError{"cannot resolve the server IPv4-only and IPv6-only"});
  }
  if (request.spoof_source && !is_raw(request.protocol)) {
    return fail(ClientError{"-Q (spoof source) needs -P udpraw, tcpraw or icmp"});
  }
  if (request.http_proxy && request.protocol != config::SpaProtocol::kHttp) {
    return fail(ClientError{"Cannot set --http-proxy with a non-HTTP protocol."});
  }
  switch (request.protocol) {
    case config::SpaProtocol::kUdp:
      return send_udp(wire, request);
    case config::SpaProtocol::kTcp:
      return send_tcp(wire, request);
    case config::SpaProtocol::kHttp:
      return send_http(wire, request);
    case config::SpaProtocol::kUdpRaw:
    case config::SpaProtocol::kTcpRaw:
    case config::SpaProtocol::kIcmp:
      return send_raw(wire, request);
  }
  return fail(ClientError{"unknown transport protocol"});
}

}  // namespace sesame::client
