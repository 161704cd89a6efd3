// SPDX-License-Identifier: GPL-2.0-or-later
// TcpDestination: the far end of an outgoing TCP connection (address and port), the key that ties a socket the
// kernel reports to the rc-file stanza that protects it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sesame::launcher {

struct TcpDestination {
  int family = 0;                          // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> address{};  // network order; IPv4 in the first 4 bytes, the rest zero
  std::uint16_t port = 0;                  // host order

  friend bool operator==(const TcpDestination&, const TcpDestination&) = default;
};

// From a sockaddr_in/sockaddr_in6 style pair. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack
// AF_INET6 socket reports when it connects to an IPv4 host) becomes the plain IPv4 address, so one watch entry
// matches both kinds of socket.
TcpDestination make_destination(int family, const std::uint8_t* address, std::uint16_t port);

// A numeric address ("10.0.0.1", "fd00::1") and a port; nullopt when `text` is not one.
std::optional<TcpDestination> parse_destination(std::string_view text, std::uint16_t port);

// "10.0.0.1:22", "[fd00::1]:22".
std::string to_string(const TcpDestination& destination);

}  // namespace sesame::launcher
