// SPDX-License-Identifier: GPL-2.0-or-later
// -P udpraw, tcpraw, icmp: a hand-built IPv4 packet through a raw socket (IP_HDRINCL), which is what lets -Q forge
// the source address (protocol.md §12.2). Needs CAP_NET_RAW; IPv4 only, as in fwknop.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "client/endpoint.h"
#include "client/raw_packet.h"
#include "client/transport.h"
#include "common/unique_fd.h"

namespace sesame::client {
namespace {

// fwknop draws a raw mode's missing source port from the same range as -r.
constexpr std::uint16_t kRandomPortBase = 10000;
constexpr std::uint16_t kRandomPortSpan = 55535;

std::string protocol_name(config::SpaProtocol protocol) {
  switch (protocol) {
    case config::SpaProtocol::kTcpRaw:
      return "tcpraw";
    case config::SpaProtocol::kIcmp:
      return "icmp";
    default:
      return "udpraw";
  }
}

struct RandomFields {
  std::uint16_t ip_id = 0;
  std::uint16_t echo_id = 0;
  std::uint16_t port = 0;
};

Result<RandomFields> draw_random_fields() {
  std::uint16_t words[3] = {};
  std::size_t filled = 0;
  while (filled < sizeof(words)) {
    const ssize_t got = getrandom(reinterpret_cast<char*>(words) + filled, sizeof(words) - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(ClientError{"random source failed: " + errno_text(errno)});
    filled += std::size_t(got);
  }
  return RandomFields{words[0], words[1], std::uint16_t(kRandomPortBase + words[2] % kRandomPortSpan)};
}

// Without -Q the header still needs a real source, for the UDP/TCP pseudo-header checksum: ask the routing table
// through a connected UDP socket, which sends nothing.
Result<in_addr> kernel_source_for(const sockaddr_in& destination, const std::string& where) {
  UniqueFd probe(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!probe.is_valid()) return fail(ClientError{"cannot create a UDP socket: " + errno_text(errno)});
  sockaddr_in target = destination;
  if (target.sin_port == 0) target.sin_port = htons(9);  // any port will do; 0 is refused by some stacks
  if (connect(probe.get(), reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0) {
    return fail(ClientError{"no route to " + where + ": " + errno_text(errno)});
  }
  sockaddr_in local{};
  socklen_t length = sizeof(local);
  if (getsockname(probe.get(), reinterpret_cast<sockaddr*>(&local), &length) != 0) {
    return fail(ClientError{"cannot find a source address for " + where + ": " + errno_text(errno)});
  }
  return local.sin_addr;
}

}  // namespace

Result<SendReport> send_raw(std::string_view wire, const SendRequest& request) {
  const std::string name = protocol_name(request.protocol);
  const bool is_icmp = request.protocol == config::SpaProtocol::kIcmp;
  if (request.ipv6_only) return fail(ClientError{"-P " + name + " sends IPv4 packets only"});
  if (wire.size() > kMaxRawPayload) return fail(ClientError{"SPA data too large for one IPv4 packet"});
  if (is_icmp &&
      (request.icmp_type < 0 || request.icmp_type > 255 || request.icmp_code < 0 || request.icmp_code > 255)) {
    return fail(ClientError{"--icmp-type and --icmp-code must be 0-255"});
  }

  auto endpoints = resolve_endpoints(request.server, request.port, AF_INET, SOCK_DGRAM);
  if (!endpoints) return fail(endpoints.error());
  const Endpoint& endpoint = endpoints->front();
  sockaddr_in destination{};
  std::memcpy(&destination, &endpoint.address, sizeof(destination));
  const std::string where = format_endpoint(endpoint, !is_icmp);

  in_addr source{};
  if (request.spoof_source) {
    if (inet_pton(AF_INET, request.spoof_source->c_str(), &source) != 1) {
      return fail(ClientError{"-Q: '" + *request.spoof_source + "' is not an IPv4 address"});
    }
  } else {
    auto picked = kernel_source_for(destination, where);
    if (!picked) return fail(picked.error());
    source = *picked;
  }
  auto random = draw_random_fields();
  if (!random) return fail(random.error());

  RawPacketFields fields;
  fields.protocol = request.protocol;
  std::memcpy(fields.source.data(), &source, 4);
  std::memcpy(fields.destination.data(), &destination.sin_addr, 4);
  if (!is_icmp) {
    fields.source_port = request.source_port != 0 ? request.source_port : random->port;
    fields.destination_port = request.port;
  }
  fields.ip_id = random->ip_id;
  fields.icmp_type = std::uint8_t(request.icmp_type);
  fields.icmp_code = std::uint8_t(request.icmp_code);
  fields.icmp_echo_id = random->echo_id;
  const std::vector<std::uint8_t> packet = build_raw_packet(fields, wire);

  UniqueFd fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
  if (!fd.is_valid()) {
    if (errno == EPERM || errno == EACCES) {
      return fail(ClientError{"raw socket needs root (CAP_NET_RAW) for -P " + name});
    }
    return fail(ClientError{"cannot create a raw socket for -P " + name + ": " + errno_text(errno)});
  }
  // IPPROTO_RAW implies it on Linux; asking explicitly keeps the kernel from prepending a second header elsewhere.
  const int one = 1;
  if (setsockopt(fd.get(), IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) != 0) {
    return fail(ClientError{"cannot set IP_HDRINCL for -P " + name + ": " + errno_text(errno)});
  }
  destination.sin_port = 0;  // raw sockets have no ports; the header carries them
  ssize_t sent = -1;
  do {
    sent = sendto(fd.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&destination),
                  sizeof(destination));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return fail(ClientError{"sending to " + where + " failed: " + errno_text(errno)});
  return SendReport{std::size_t(sent), where};
}

}  // namespace sesame::client
