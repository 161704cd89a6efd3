// SPDX-License-Identifier: GPL-2.0-or-later
// RawPacket: the IPv4 packet -P udpraw, tcpraw and icmp hand to a raw socket, header by header (protocol.md §12.2).
// Pure: addresses, ports and random numbers come in, bytes go out, so every checksum is testable without root.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "config/client_settings.h"

namespace sesame::client {

constexpr std::size_t kIpv4HeaderSize = 20;
constexpr std::uint8_t kRawTtl = 255;
// IP total length is 16 bits; the largest transport header we build is TCP's 20 bytes.
constexpr std::size_t kMaxRawPayload = 65535 - kIpv4HeaderSize - 20;

struct RawPacketFields {
  config::SpaProtocol protocol = config::SpaProtocol::kUdpRaw;  // kUdpRaw, kTcpRaw or kIcmp
  std::array<std::uint8_t, 4> source{};                         // network byte order, as in the header
  std::array<std::uint8_t, 4> destination{};
  std::uint16_t source_port = 0;  // udpraw, tcpraw
  std::uint16_t destination_port = 0;
  std::uint16_t ip_id = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint16_t icmp_echo_id = 0;  // used for an echo request (type 8, code 0) only, as fwknop
};

// IPv4 header (TTL 255, no options, DF clear) + UDP header, TCP SYN header (seq 1, window 32767, no options) or ICMP
// header + payload; every checksum filled in. Precondition: payload.size() <= kMaxRawPayload.
std::vector<std::uint8_t> build_raw_packet(const RawPacketFields& fields, std::string_view payload);

// RFC 1071 ones' complement sum, folded and complemented; `partial` carries a pseudo-header sum in.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t partial = 0);

}  // namespace sesame::client
