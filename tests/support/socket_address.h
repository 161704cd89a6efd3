// SPDX-License-Identifier: GPL-2.0-or-later
// A sockaddr for "127.0.0.1" or "::1" and a port, for tests that open sockets by hand.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

namespace sesame::test {

// IPv6 when the text has a ':', else IPv4; `length` gets the size to pass to bind/connect/sendto.
inline sockaddr_storage socket_address(const char* address, std::uint16_t port, socklen_t& length) {
  sockaddr_storage storage{};
  if (std::strchr(address, ':')) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, address, &in6->sin6_addr);
    length = sizeof *in6;
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    ::inet_pton(AF_INET, address, &in4->sin_addr);
    length = sizeof *in4;
  }
  return storage;
}

}  // namespace sesame::test
