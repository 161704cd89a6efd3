// SPDX-License-Identifier: GPL-2.0-or-later
// TcpDestination: conversions from kernel and text forms, and printing.
#include "launcher/tcp_destination.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace sesame::launcher {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

TcpDestination make_destination(int family, const std::uint8_t* address, std::uint16_t port) {
  TcpDestination destination;
  destination.port = port;
  if (family == AF_INET6 && std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address)) {
    destination.family = AF_INET;
    std::memcpy(destination.address.data(), address + 12, 4);
  } else if (family == AF_INET6) {
    destination.family = AF_INET6;
    std::memcpy(destination.address.data(), address, 16);
  } else {
    destination.family = AF_INET;
    std::memcpy(destination.address.data(), address, 4);
  }
  return destination;
}

std::optional<TcpDestination> parse_destination(std::string_view text, std::uint16_t port) {
  const std::string copy(text);  // inet_pton needs a terminated string
  std::array<std::uint8_t, 16> bytes{};
  if (::inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) return make_destination(AF_INET, bytes.data(), port);
  if (::inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) return make_destination(AF_INET6, bytes.data(), port);
  return std::nullopt;
}

std::string to_string(const TcpDestination& destination) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(destination.family, destination.address.data(), text, sizeof text);
  const std::string port = std::to_string(destination.port);
  return destination.family == AF_INET6 ? "[" + std::string(text) + "]:" + port : std::string(text) + ":" + port;
}

}  // namespace sesame::launcher
