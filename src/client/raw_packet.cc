// SPDX-License-Identifier: GPL-2.0-or-later
// Byte-level construction of raw SPA packets; written field by field in network order, so no struct layout,
// alignment or host byte order leaks into the wire.
#include "client/raw_packet.h"

#include <netinet/in.h>

#include <algorithm>

namespace sesame::client {
namespace {

constexpr std::size_t kUdpHeaderSize = 8;
constexpr std::size_t kTcpHeaderSize = 20;
constexpr std::size_t kIcmpHeaderSize = 8;
constexpr std::uint8_t kTcpSyn = 0x02;
constexpr std::uint16_t kTcpWindow = 32767;
constexpr std::uint8_t kIcmpEcho = 8;

void put16(std::vector<std::uint8_t>& packet, std::size_t at, std::uint16_t value) {
  packet[at] = std::uint8_t(value >> 8);
  packet[at + 1] = std::uint8_t(value & 0xff);
}

void put32(std::vector<std::uint8_t>& packet, std::size_t at, std::uint32_t value) {
  put16(packet, at, std::uint16_t(value >> 16));
  put16(packet, at + 2, std::uint16_t(value & 0xffff));
}

std::uint32_t add_words(std::span<const std::uint8_t> bytes, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += std::uint32_t(bytes[i]) << 8 | bytes[i + 1];
  if (i < bytes.size()) sum += std::uint32_t(bytes[i]) << 8;  // odd length: pad with a zero byte
  return sum;
}

// UDP and TCP checksums also cover source, destination, protocol and length, so that a misdelivered segment fails.
std::uint32_t pseudo_header_sum(const RawPacketFields& fields, std::uint8_t protocol, std::size_t length) {
  std::uint32_t sum = add_words(fields.source, 0);
  sum = add_words(fields.destination, sum);
  return sum + protocol + std::uint32_t(length);
}

std::uint8_t ip_protocol(config::SpaProtocol protocol) {
  switch (protocol) {
    case config::SpaProtocol::kTcpRaw:
      return IPPROTO_TCP;
    case config::SpaProtocol::kIcmp:
      return IPPROTO_ICMP;
    default:
      return IPPROTO_UDP;
  }
}

std::size_t transport_header_size(config::SpaProtocol protocol) {
  switch (protocol) {
    case config::SpaProtocol::kTcpRaw:
      return kTcpHeaderSize;
    case config::SpaProtocol::kIcmp:
      return kIcmpHeaderSize;
    default:
      return kUdpHeaderSize;
  }
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t partial) {
  std::uint32_t sum = add_words(bytes, partial);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return std::uint16_t(~sum & 0xffff);
}

std::vector<std::uint8_t> build_raw_packet(const RawPacketFields& fields, std::string_view payload) {
  const std::uint8_t protocol = ip_protocol(fields.protocol);
  const std::size_t header = transport_header_size(fields.protocol);
  const std::size_t segment_size = header + payload.size();
  std::vector<std::uint8_t> packet(kIpv4HeaderSize + segment_size, 0);

  packet[0] = 0x45;  // version 4, header length 5 words: no options
  put16(packet, 2, std::uint16_t(packet.size()));
  put16(packet, 4, fields.ip_id);
  packet[8] = kRawTtl;
  packet[9] = protocol;
  std::copy(fields.source.begin(), fields.source.end(), packet.begin() + 12);
  std::copy(fields.destination.begin(), fields.destination.end(), packet.begin() + 16);
  put16(packet, 10, internet_checksum(std::span(packet).first(kIpv4HeaderSize)));

  const std::size_t at = kIpv4HeaderSize;
  std::copy(payload.begin(), payload.end(), packet.begin() + std::ptrdiff_t(at + header));
  const auto segment = std::span(packet).subspan(at);
  switch (fields.protocol) {
    case config::SpaProtocol::kTcpRaw: {
      put16(packet, at, fields.source_port);
      put16(packet, at + 2, fields.destination_port);
      put32(packet, at + 4, 1);  // sequence number 1, acknowledgement 0, as fwknop
      packet[at + 12] = std::uint8_t((kTcpHeaderSize / 4) << 4);
      packet[at + 13] = kTcpSyn;
      put16(packet, at + 14, kTcpWindow);
      put16(packet, at + 16, internet_checksum(segment, pseudo_header_sum(fields, protocol, segment_size)));
      break;
    }
    case config::SpaProtocol::kIcmp: {
      packet[at] = fields.icmp_type;
      packet[at + 1] = fields.icmp_code;
      if (fields.icmp_type == kIcmpEcho && fields.icmp_code == 0) {
        put16(packet, at + 4, fields.icmp_echo_id);
        put16(packet, at + 6, 1);  // sequence 1
      }
      put16(packet, at + 2, internet_checksum(segment));  // ICMP has no pseudo-header
      break;
    }
    default: {
      put16(packet, at, fields.source_port);
      put16(packet, at + 2, fields.destination_port);
      put16(packet, at + 4, std::uint16_t(segment_size));
      const std::uint16_t checksum = internet_checksum(segment, pseudo_header_sum(fields, protocol, segment_size));
      put16(packet, at + 6, checksum == 0 ? 0xffff : checksum);  // 0 would mean "no checksum" (RFC 768)
      break;
    }
  }
  return packet;
}

}  // namespace sesame::client
