// SPDX-License-Identifier: GPL-2.0-or-later
// send_spa_packet: puts one SPA wire string on the network with the transport of -P (protocol.md §12): a UDP
// datagram, a TCP connection, an HTTP GET, or a hand-built raw IPv4 packet (udpraw, tcpraw, icmp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/client_error.h"
#include "config/client_settings.h"

namespace sesame::client {

struct SendRequest {
  std::string server;  // -D: host name, IPv4 or IPv6 literal ("[::1]" also accepted)
  std::uint16_t port = 62201;
  config::SpaProtocol protocol = config::SpaProtocol::kUdp;
  std::uint16_t source_port = 0;            // -S; 0: the OS picks one, raw modes pick a random one
  std::optional<std::string> spoof_source;  // -Q: an IPv4 address, raw modes only
  bool ipv4_only = false;                   // --server-resolve-ipv4
  bool ipv6_only = false;                   // sesame only: fwknop has no IPv6
  int icmp_type = 0;                        // --icmp-type, -P icmp only
  int icmp_code = 0;                        // --icmp-code, -P icmp only
  std::optional<std::string> http_proxy;    // -H: "host[:port]", optional "http://" prefix; forces -P http
  std::string user_agent;                   // -u, for -P http; empty: kDefaultUserAgent
};

struct SendReport {
  std::size_t bytes_sent = 0;  // as handed to the socket: the whole GET for http, IP header included for raw modes
  std::string destination;     // the address actually used: "192.0.2.1:62201", "[2001:db8::1]:62201", "192.0.2.1"
                               // for icmp; for http through -H, the proxy's
};

Result<SendReport> send_spa_packet(std::string_view wire, const SendRequest& request);

// The exact GET of protocol.md §12.4 that -P http sends: "+" -> "-" and "/" -> "_" in the wire string, HTTP/1.1 as
// fwknop 2.6.11 (2.6.10 says HTTP/1.0; fwknopd of both versions accepts either). Through a proxy the request line
// carries the absolute URI and, as in fwknop, "Host:" names the proxy host.
std::string build_http_request(std::string_view wire, const SendRequest& request);

}  // namespace sesame::client
