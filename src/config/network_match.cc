// SPDX-License-Identifier: GPL-2.0-or-later
// Address and network parsing and matching (fwknop's add_int_ent and compare_addr_list, server/access.c),
// extended to IPv6.
#include "config/config_text.h"
#include "config/network_match.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace sesame::config {
namespace {

constexpr std::size_t kMaxAddressText = INET6_ADDRSTRLEN;  // longer text is no address; inet_pton needs a C string

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<unsigned> parse_prefix(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  // /0 would be every address: fwknopd refuses it too (its CIDR range is 1-32) and ANY says it plainly.
  if (value < 1 || value > max) return std::nullopt;
  return value;
}

IpAddress prefix_mask(IpAddress::Family family, unsigned prefix) {
  std::array<std::uint8_t, 16> bytes{};
  for (unsigned bit = 0; bit < prefix; ++bit) bytes[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
  if (family == IpAddress::Family::kIpv6) return IpAddress::ipv6(bytes);
  return IpAddress::ipv4((std::uint32_t(bytes[0]) << 24) | (std::uint32_t(bytes[1]) << 16) |
                         (std::uint32_t(bytes[2]) << 8) | bytes[3]);
}

IpAddress masked(const IpAddress& address, const IpAddress& mask) {
  std::array<std::uint8_t, 16> bytes{};
  const auto a = address.bytes();
  const auto m = mask.bytes();
  for (std::size_t i = 0; i < a.size(); ++i) bytes[i] = a[i] & m[i];
  if (!address.is_ipv4()) return IpAddress::ipv6(bytes);
  return IpAddress::ipv4((std::uint32_t(bytes[0]) << 24) | (std::uint32_t(bytes[1]) << 16) |
                         (std::uint32_t(bytes[2]) << 8) | bytes[3]);
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // A NUL inside would end the C string early and let "1.2.3.4\0junk" pass.
  if (text.empty() || text.size() >= kMaxAddressText || text.find('\0') != std::string_view::npos) return std::nullopt;
  char buffer[kMaxAddressText] = {};
  std::copy(text.begin(), text.end(), buffer);
  IpAddress address;
  if (text.find(':') == std::string_view::npos) {
    if (::inet_pton(AF_INET, buffer, address.bytes_.data()) != 1) return std::nullopt;
    return address;
  }
  if (::inet_pton(AF_INET6, buffer, address.bytes_.data()) != 1) return std::nullopt;
  address.family_ = Family::kIpv6;
  return address;
}

IpAddress IpAddress::ipv4(std::uint32_t host_order) {
  IpAddress address;
  address.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
  address.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
  address.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
  address.bytes_[3] = static_cast<std::uint8_t>(host_order);
  return address;
}

IpAddress IpAddress::ipv6(const std::array<std::uint8_t, 16>& bytes) {
  IpAddress address;
  address.family_ = Family::kIpv6;
  address.bytes_ = bytes;
  return address;
}

IpAddress IpAddress::unmapped() const {
  static constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (is_ipv4() || !std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes_.begin())) return *this;
  return ipv4((std::uint32_t(bytes_[12]) << 24) | (std::uint32_t(bytes_[13]) << 16) | (std::uint32_t(bytes_[14]) << 8) |
              bytes_[15]);
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(is_ipv4() ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof buffer);
  return buffer;
}

std::optional<Network> Network::parse(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const unsigned bits = address->is_ipv4() ? 32 : 128;
  Network network;
  if (slash == std::string_view::npos) {
    network.mask_ = prefix_mask(address->family(), bits);
  } else {
    const std::string_view suffix = text.substr(slash + 1);
    if (suffix.find('.') != std::string_view::npos) {
      // A dotted mask, as fwknopd reads one (IPv4 only): any 32-bit value, contiguous or not.
      const auto mask = IpAddress::parse(suffix);
      if (!address->is_ipv4() || !mask || !mask->is_ipv4()) return std::nullopt;
      network.mask_ = *mask;
    } else {
      const auto prefix = parse_prefix(suffix, bits);
      if (!prefix) return std::nullopt;
      network.mask_ = prefix_mask(address->family(), *prefix);
    }
  }
  network.address_ = masked(*address, network.mask_);
  return network;
}

bool Network::contains(const IpAddress& address) const {
  const IpAddress candidate = address.unmapped();
  if (candidate.family() != address_.family()) return false;
  const auto a = candidate.bytes();
  const auto m = mask_.bytes();
  const auto n = address_.bytes();
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] & m[i]) != n[i]) return false;
  return true;
}

bool NetworkList::contains(const IpAddress& address) const {
  return any || std::any_of(networks.begin(), networks.end(),
                            [&](const Network& network) { return network.contains(address); });
}

Result<NetworkList, std::string> parse_network_list(std::string_view text) {
  NetworkList list;
  std::size_t at = 0;
  while (true) {
    const std::size_t comma = text.find(',', at);
    const std::string_view item = trim(text.substr(at, comma == std::string_view::npos ? comma : comma - at));
    if (iequals(item, "ANY")) {
      list.any = true;
    } else if (const auto network = Network::parse(item)) {
      list.networks.push_back(*network);
    } else {
      return fail(std::string(item));
    }
    if (comma == std::string_view::npos) return list;
    at = comma + 1;
  }
}

}  // namespace sesame::config
