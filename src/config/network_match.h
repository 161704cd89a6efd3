// SPDX-License-Identifier: GPL-2.0-or-later
// Addresses and networks as access.conf SOURCE and DESTINATION name them (server.md §3.2): an IPv4 or IPv6
// address, a network (address and mask), and the comma list, with ANY, that a stanza matches packets against.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sesame::config {

class IpAddress {
 public:
  enum class Family : std::uint8_t { kIpv4, kIpv6 };

  IpAddress() = default;  // 0.0.0.0
  // inet_pton's syntax: a dotted quad of decimal parts, or IPv6. The inet_aton shorthands fwknopd also takes
  // ("10.1", "0x0a.0.0.1", octal "010.0.0.1" = 8.0.0.1) are refused: they too often mean something else.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress ipv4(std::uint32_t host_order);
  static IpAddress ipv6(const std::array<std::uint8_t, 16>& bytes);

  Family family() const { return family_; }
  bool is_ipv4() const { return family_ == Family::kIpv4; }
  // Network byte order: 4 bytes for IPv4, 16 for IPv6.
  std::span<const std::uint8_t> bytes() const { return std::span(bytes_).first(is_ipv4() ? 4 : 16); }
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports for an IPv4 peer) as that
  // IPv4 address; any other address unchanged.
  IpAddress unmapped() const;
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kIpv4;
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 in the first 4, the rest zero
};

// An address and a mask of the same family. The mask need not be contiguous: fwknopd takes any dotted mask
// (10.0.0.0/255.0.255.0) and compares (address & mask), and so does this.
class Network {
 public:
  // "IP" (a host), "IP/prefix" (IPv4 1-32, IPv6 1-128: /0 is written ANY) or "IPv4/dotted-mask". No blanks.
  static std::optional<Network> parse(std::string_view text);

  // Family-aware: an IPv4 network never contains an IPv6 address, except an IPv4-mapped one.
  bool contains(const IpAddress& address) const;
  const IpAddress& address() const { return address_; }  // with the host bits cleared, as fwknopd stores it
  const IpAddress& mask() const { return mask_; }

 private:
  IpAddress address_;
  IpAddress mask_;
};

// A SOURCE or DESTINATION value.
struct NetworkList {
  bool any = false;  // an ANY item: every address, IPv4 and IPv6
  std::vector<Network> networks;

  bool contains(const IpAddress& address) const;
};

// "ANY" (any case) or a Network per comma-separated item; blanks around items are ignored, as fwknopd skips
// them. The error is the first item that is neither, as written.
Result<NetworkList, std::string> parse_network_list(std::string_view text);

}  // namespace sesame::config
