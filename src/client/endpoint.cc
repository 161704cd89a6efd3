// SPDX-License-Identifier: GPL-2.0-or-later
// Name resolution and address formatting for the client transports.
#include "client/endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>

namespace sesame::client {
namespace {

using AddrInfoPtr = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

// "[::1]" is how an IPv6 literal is written next to a port; getaddrinfo wants it bare.
std::string bare_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::string(host);
}

}  // namespace

Result<std::vector<Endpoint>> resolve_endpoints(std::string_view host, std::uint16_t port, int family,
                                                int socket_type) {
  if (host.empty()) return fail(ClientError{"no server given (-D)"});
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = socket_type;
  hints.ai_flags = AI_NUMERICSERV;
  const std::string name = bare_host(host);
  const std::string service = std::to_string(port);
  addrinfo* raw = nullptr;
  const int status = getaddrinfo(name.c_str(), service.c_str(), &hints, &raw);
  AddrInfoPtr list(raw, freeaddrinfo);
  if (status != 0) {
    const std::string why = status == EAI_SYSTEM ? errno_text(errno) : gai_strerror(status);
    return fail(ClientError{"cannot resolve host '" + std::string(host) + "': " + why});
  }
  std::vector<Endpoint> endpoints;
  for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    if (entry->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Endpoint endpoint;
    std::memcpy(&endpoint.address, entry->ai_addr, entry->ai_addrlen);
    endpoint.length = entry->ai_addrlen;
    endpoints.push_back(endpoint);
  }
  if (endpoints.empty()) return fail(ClientError{"cannot resolve host '" + std::string(host) + "': no IP address"});
  return endpoints;
}

std::string format_endpoint(const Endpoint& endpoint, bool with_port) {
  char text[INET6_ADDRSTRLEN] = {};
  std::uint16_t port = 0;
  if (endpoint.family() == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&endpoint.address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    port = ntohs(v4->sin_port);
    return with_port ? std::string(text) + ":" + std::to_string(port) : std::string(text);
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&endpoint.address);
  inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
  port = ntohs(v6->sin6_port);
  if (!with_port) return std::string(text);
  std::string bracketed = "[";  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "[" + std::string
  bracketed += text;
  bracketed += "]:";
  bracketed += std::to_string(port);
  return bracketed;
}

Result<Ok> bind_source_port(int fd, int family, std::uint16_t port) {
  sockaddr_storage address{};
  socklen_t length = 0;
  if (family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    v4->sin_addr.s_addr = htonl(INADDR_ANY);
    length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    v6->sin6_addr = in6addr_any;
    length = sizeof(sockaddr_in6);
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    return fail(ClientError{"cannot use source port " + std::to_string(port) + ": " + errno_text(errno)});
  }
  return Ok{};
}

std::string errno_text(int error_number) {
  return std::error_code(error_number, std::system_category()).message();
}

}  // namespace sesame::client
