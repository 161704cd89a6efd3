// SPDX-License-Identifier: GPL-2.0-or-later
// Field validation shared by the encoder (refuse what fwknop could not decode) and the decoder.
#include "spa/field_rules.h"

#include <arpa/inet.h>
#include <algorithm>
#include <string>

namespace sesame::spa {
namespace {

constexpr std::size_t kMinIpv4Length = 7;
constexpr std::size_t kMaxIpv4Length = 15;
constexpr std::size_t kMaxIpv6Length = 39;  // eight groups of four hex digits and seven colons
constexpr std::size_t kMaxNatHostLength = 70;
constexpr std::size_t kMaxPortDigits = 5;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_valid_port(std::string_view digits) {
  if (digits.empty() || digits.size() > kMaxPortDigits || !std::all_of(digits.begin(), digits.end(), is_digit))
    return false;
  const int port = std::stoi(std::string(digits));
  return port >= 1 && port <= 65535;
}

// libfko accepts any proto/port whose '/' sits within the first 4 characters; only tcp and udp fit
// (protocol.md §17.4), so those are the two accepted here.
bool is_valid_proto_port(std::string_view spec) {
  for (const std::string_view proto : {"tcp/", "udp/"})
    if (spec.substr(0, proto.size()) == proto) return is_valid_port(spec.substr(proto.size()));
  return false;
}

}  // namespace

bool is_valid_username(std::string_view username) {
  constexpr std::string_view kForbidden = "\"/\\[]:;|=,+*?<>";
  return !username.empty() && std::all_of(username.begin(), username.end(), [&](char c) {
    return c >= 0x20 && c <= 0x7e && kForbidden.find(c) == std::string_view::npos;
  });
}

std::optional<std::uint32_t> parse_allow_ip(std::string_view ip) {
  if (ip.size() < kMinIpv4Length || ip.size() > kMaxIpv4Length || std::count(ip.begin(), ip.end(), '.') != 3 ||
      !std::all_of(ip.begin(), ip.end(), [](char c) { return is_digit(c) || c == '.'; }))
    return std::nullopt;
  // inet_aton, not inet_pton: the real client sends what the user typed ("001.2.3.4") and fwknopd accepts
  // it with inet_aton's octal reading, so sesame must read it the same way or grant a different address.
  in_addr address{};
  if (inet_aton(std::string(ip).c_str(), &address) == 0) return std::nullopt;
  return ntohl(address.s_addr);
}

bool is_valid_allow_ip(std::string_view ip) {
  return parse_allow_ip(ip).has_value();
}

std::optional<std::array<std::uint8_t, 16>> parse_allow_ipv6(std::string_view ip) {
  const auto is_ipv6_char = [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':';
  };
  if (ip.size() < 2 || ip.size() > kMaxIpv6Length || ip.find(':') == std::string_view::npos ||
      !std::all_of(ip.begin(), ip.end(), is_ipv6_char))
    return std::nullopt;
  std::array<std::uint8_t, 16> address{};
  if (inet_pton(AF_INET6, std::string(ip).c_str(), address.data()) != 1) return std::nullopt;
  constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const bool is_unspecified = std::all_of(address.begin(), address.end(), [](std::uint8_t b) { return b == 0; });
  const bool is_mapped = std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.begin());
  if (is_unspecified || is_mapped) return std::nullopt;
  return address;
}

bool is_valid_allow_address(std::string_view ip) {
  return is_valid_allow_ip(ip) || parse_allow_ipv6(ip).has_value();
}

bool is_valid_access_message(std::string_view message) {
  const auto comma = message.find(',');
  if (comma == std::string_view::npos || !is_valid_allow_address(message.substr(0, comma))) return false;
  std::string_view rest = message.substr(comma + 1);
  while (true) {
    const auto next = rest.find(',');
    if (!is_valid_proto_port(rest.substr(0, next))) return false;
    if (next == std::string_view::npos) return true;
    rest = rest.substr(next + 1);
  }
}

bool is_valid_command_message(std::string_view message) {
  const auto comma = message.find(',');
  return comma != std::string_view::npos && is_valid_allow_address(message.substr(0, comma)) &&
         comma + 1 < message.size();
}

bool is_valid_nat_access(std::string_view nat_access) {
  const auto comma = nat_access.find(',');
  if (comma == std::string_view::npos || nat_access.find(',', comma + 1) != std::string_view::npos) return false;
  const std::string_view host = nat_access.substr(0, comma);
  constexpr std::string_view kForbidden = " /?\"'\\";
  return host.size() <= kMaxNatHostLength && host.find_first_of(kForbidden) == std::string_view::npos &&
         is_valid_port(nat_access.substr(comma + 1));
}

bool is_printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

}  // namespace sesame::spa
