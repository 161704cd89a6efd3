// SPDX-License-Identifier: GPL-2.0-or-later
// parse_link_frame: link header -> IPv4/IPv6 -> UDP/TCP/ICMP payload. Every length in a frame is the sender's
// word, so each one is checked against the bytes actually captured before anything behind it is read.
#include "server/capture/link_frame.h"

#include <pcap/dlt.h>

#include <array>
#include <string_view>

namespace sesame::server::capture {
namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;        // 802.1Q
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;        // 802.1ad service tag
constexpr std::uint16_t kEtherTypeQinQLegacy = 0x9100;  // pre-802.1ad double tagging
constexpr std::uint16_t kEtherTypePppoeSession = 0x8864;
constexpr std::uint16_t kMaxEthernetLength = 1500;  // a type field up to this is an 802.3 length, not a protocol
constexpr std::uint16_t kPppIpv4 = 0x0021;
constexpr std::uint16_t kPppIpv6 = 0x0057;

constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kSllHeader = 16;
constexpr std::size_t kSll2Header = 20;
constexpr std::size_t kNullHeader = 4;
constexpr std::size_t kVlanTag = 4;
constexpr std::size_t kPppoeHeader = 6;  // version/type, code, session id, length; the PPP protocol follows
constexpr std::size_t kIpv4MinHeader = 20;
constexpr std::size_t kIpv6Header = 40;
constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kTcpMinHeader = 20;
constexpr std::size_t kIcmpHeader = 8;
constexpr std::size_t kIpv6FragmentHeader = 8;

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoIcmpv6 = 58;
constexpr std::uint8_t kIpv6HopByHop = 0;
constexpr std::uint8_t kIpv6Routing = 43;
constexpr std::uint8_t kIpv6Fragment = 44;
constexpr std::uint8_t kIpv6DestinationOptions = 60;

// A DLT_NULL header is the sender's AF_ value in its own byte order; AF_INET6 differs between systems.
constexpr std::uint32_t kAfInet = 2;
constexpr std::array<std::uint32_t, 4> kAfInet6 = {10, 24, 28, 30};  // Linux; Net/OpenBSD; FreeBSD; Darwin

std::uint16_t get16(Bytes bytes, std::size_t at) {
  return std::uint16_t(bytes[at] << 8 | bytes[at + 1]);
}

std::uint32_t get32(Bytes bytes, std::size_t at) {
  return std::uint32_t(bytes[at]) << 24 | std::uint32_t(bytes[at + 1]) << 16 | std::uint32_t(bytes[at + 2]) << 8 |
         bytes[at + 3];
}

// `segment`: the transport header and its data, already cut to the end the IP header gives.
std::optional<CapturedPacket> parse_transport(std::uint8_t protocol, Bytes segment, CapturedPacket& packet) {
  std::size_t header = 0;
  switch (protocol) {
    case kProtoUdp:
      if (segment.size() < kUdpHeader) return std::nullopt;
      header = kUdpHeader;  // the IP length, not the UDP length field, ends the payload, as in fwknopd
      break;
    case kProtoTcp:
      if (segment.size() < kTcpMinHeader) return std::nullopt;
      header = std::size_t(segment[12] >> 4) * 4;
      if (header < kTcpMinHeader || header > segment.size()) return std::nullopt;
      break;
    case kProtoIcmp:
    case kProtoIcmpv6:
      if (segment.size() < kIcmpHeader) return std::nullopt;
      header = kIcmpHeader;
      break;
    default:
      return std::nullopt;
  }
  if (protocol == kProtoUdp || protocol == kProtoTcp) {
    packet.source_port = get16(segment, 0);
    packet.destination_port = get16(segment, 2);
  }
  packet.ip_protocol = protocol;
  const Bytes data = segment.subspan(header);
  packet.payload = std::string_view(reinterpret_cast<const char*>(data.data()), data.size());
  return packet;
}

std::optional<CapturedPacket> parse_ipv4(Bytes ip) {
  if (ip.size() < kIpv4MinHeader || ip[0] >> 4 != 4) return std::nullopt;
  const std::size_t header = std::size_t(ip[0] & 0x0f) * 4;
  const std::size_t total = get16(ip, 2);
  if (header < kIpv4MinHeader || total < header || total > ip.size()) return std::nullopt;
  // Only the first fragment carries the transport header. fwknopd takes a first fragment (more-fragments set) as it
  // is, and so does this: its payload is cut short and fails the HMAC like any other damaged packet.
  if ((get16(ip, 6) & 0x1fff) != 0) return std::nullopt;
  const std::uint8_t protocol = ip[9];
  if (protocol == kProtoIcmpv6) return std::nullopt;
  CapturedPacket packet;
  packet.source = config::IpAddress::ipv4(get32(ip, 12));
  packet.destination = config::IpAddress::ipv4(get32(ip, 16));
  return parse_transport(protocol, ip.subspan(header, total - header), packet);
}

config::IpAddress ipv6_at(Bytes ip, std::size_t at) {
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = ip[at + i];
  return config::IpAddress::ipv6(bytes);
}

std::optional<CapturedPacket> parse_ipv6(Bytes ip) {
  if (ip.size() < kIpv6Header || ip[0] >> 4 != 6) return std::nullopt;
  const std::size_t payload_length = get16(ip, 4);  // 0 with a jumbo option: no room for a transport header here
  if (payload_length > ip.size() - kIpv6Header) return std::nullopt;
  CapturedPacket packet;
  packet.source = ipv6_at(ip, 8);
  packet.destination = ipv6_at(ip, 24);
  std::uint8_t next = ip[6];
  Bytes rest = ip.subspan(kIpv6Header, payload_length);
  // Each extension header is at least 8 bytes, so this ends within payload_length / 8 rounds.
  for (;;) {
    switch (next) {
      case kIpv6HopByHop:
      case kIpv6Routing:
      case kIpv6DestinationOptions: {
        if (rest.size() < 2) return std::nullopt;
        const std::size_t length = (std::size_t(rest[1]) + 1) * 8;
        if (length > rest.size()) return std::nullopt;
        next = rest[0];
        rest = rest.subspan(length);
        break;
      }
      case kIpv6Fragment: {
        if (rest.size() < kIpv6FragmentHeader) return std::nullopt;
        // Offset 0 and no more fragments: an atomic fragment, the whole datagram. Any other piece is incomplete
        // and reassembly is not this parser's job.
        if ((get16(rest, 2) & 0xfff9) != 0) return std::nullopt;
        next = rest[0];
        rest = rest.subspan(kIpv6FragmentHeader);
        break;
      }
      case kProtoUdp:
      case kProtoTcp:
      case kProtoIcmpv6:
        return parse_transport(next, rest, packet);
      default:
        return std::nullopt;
    }
  }
}

std::optional<CapturedPacket> parse_ip_by_version(Bytes ip) {
  if (ip.empty()) return std::nullopt;
  switch (ip[0] >> 4) {
    case 4:
      return parse_ipv4(ip);
    case 6:
      return parse_ipv6(ip);
    default:
      return std::nullopt;
  }
}

// What follows an Ethernet-style protocol field: VLAN tags, at most one PPPoE session header, then IP.
std::optional<CapturedPacket> parse_ethertype(std::uint16_t type, Bytes rest) {
  while (type == kEtherTypeVlan || type == kEtherTypeQinQ || type == kEtherTypeQinQLegacy) {
    if (rest.size() < kVlanTag) return std::nullopt;
    type = get16(rest, 2);  // after the 2-byte tag control information
    rest = rest.subspan(kVlanTag);
  }
  if (type == kEtherTypePppoeSession) {
    if (rest.size() < kPppoeHeader + 2) return std::nullopt;
    if (rest[0] != 0x11 || rest[1] != 0x00) return std::nullopt;  // version 1, type 1, code 0: session data
    const std::size_t length = get16(rest, 4);                    // the PPP frame: protocol field and packet
    if (length < 2 || length > rest.size() - kPppoeHeader) return std::nullopt;
    const std::uint16_t ppp_protocol = get16(rest, kPppoeHeader);
    rest = rest.subspan(kPppoeHeader + 2, length - 2);
    if (ppp_protocol == kPppIpv4) return parse_ipv4(rest);
    if (ppp_protocol == kPppIpv6) return parse_ipv6(rest);
    return std::nullopt;
  }
  if (type == kEtherTypeIpv4) return parse_ipv4(rest);
  if (type == kEtherTypeIpv6) return parse_ipv6(rest);
  return std::nullopt;
}

std::optional<CapturedPacket> parse_null(Bytes frame) {
  if (frame.size() < kNullHeader) return std::nullopt;
  // DLT_NULL is in the capturing host's byte order, DLT_LOOP in network order; a file may come from either kind of
  // host. One reading of a small AF_ value is small and the other at least 2^24, so both can be tried.
  const std::uint32_t big = get32(frame, 0);
  const std::uint32_t little =
      std::uint32_t(frame[3]) << 24 | std::uint32_t(frame[2]) << 16 | std::uint32_t(frame[1]) << 8 | frame[0];
  const Bytes ip = frame.subspan(kNullHeader);
  if (big == kAfInet || little == kAfInet) return parse_ipv4(ip);
  for (const std::uint32_t family : kAfInet6)
    if (big == family || little == family) return parse_ipv6(ip);
  return std::nullopt;
}

}  // namespace

bool is_supported_datalink(int datalink) {
  switch (datalink) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return true;
    default:
      return false;
  }
}

std::optional<CapturedPacket> parse_link_frame(int datalink, std::span<const std::uint8_t> frame) {
  switch (datalink) {
    case DLT_EN10MB: {
      if (frame.size() < kEthernetHeader) return std::nullopt;
      const std::uint16_t type = get16(frame, 12);
      if (type <= kMaxEthernetLength) return std::nullopt;  // 802.3 with LLC: not how IP travels
      return parse_ethertype(type, frame.subspan(kEthernetHeader));
    }
    case DLT_LINUX_SLL:  // packet type, ARPHRD type, address length, 8 address bytes, protocol
      if (frame.size() < kSllHeader) return std::nullopt;
      return parse_ethertype(get16(frame, 14), frame.subspan(kSllHeader));
    case DLT_LINUX_SLL2:  // protocol first, then reserved, interface index, ARPHRD, packet type, address
      if (frame.size() < kSll2Header) return std::nullopt;
      return parse_ethertype(get16(frame, 0), frame.subspan(kSll2Header));
    case DLT_NULL:
    case DLT_LOOP:
      return parse_null(frame);
    case DLT_RAW:
      return parse_ip_by_version(frame);
    case DLT_IPV4:
      return parse_ipv4(frame);
    case DLT_IPV6:
      return parse_ipv6(frame);
    default:
      return std::nullopt;
  }
}

}  // namespace sesame::server::capture
