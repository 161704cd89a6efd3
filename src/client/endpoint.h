// SPDX-License-Identifier: GPL-2.0-or-later
// Endpoint: one resolved socket address of -D (or of the -H proxy), with the getaddrinfo lookup that yields it and
// the text that names it in reports and errors.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/client_error.h"
#include "common/result.h"

namespace sesame::client {

struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;

  int family() const { return address.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&address); }
};

// Every address of `host` for `port`, in getaddrinfo's order (RFC 6724 preference, /etc/gai.conf). `family` is
// AF_INET, AF_INET6 or AF_UNSPEC; `socket_type` SOCK_DGRAM or SOCK_STREAM. "[v6 literal]" is accepted.
Result<std::vector<Endpoint>> resolve_endpoints(std::string_view host, std::uint16_t port, int family, int socket_type);

// "192.0.2.1:62201", "[2001:db8::1]:62201"; without the port: "192.0.2.1", "2001:db8::1".
std::string format_endpoint(const Endpoint& endpoint, bool with_port = true);

// -S: binds `fd` to the wildcard address of `family` and `port`, as fwknop does.
Result<Ok> bind_source_port(int fd, int family, std::uint16_t port);

// One line for errno, thread-safe (strerror is not).
std::string errno_text(int error_number);

}  // namespace sesame::client
