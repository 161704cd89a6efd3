// SPDX-License-Identifier: GPL-2.0-or-later
// -P udp (the default): the wire string as one datagram; nothing is ever received (protocol.md §12.1).
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "client/endpoint.h"
#include "client/transport.h"
#include "common/unique_fd.h"

namespace sesame::client {
namespace {

Result<SendReport> send_to(const Endpoint& endpoint, std::string_view payload, std::uint16_t source_port) {
  const std::string where = format_endpoint(endpoint);
  UniqueFd fd(socket(endpoint.family(), SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!fd.is_valid()) return fail(ClientError{"cannot create a UDP socket for " + where + ": " + errno_text(errno)});
  if (source_port != 0) {
    if (auto bound = bind_source_port(fd.get(), endpoint.family(), source_port); !bound) return fail(bound.error());
  }
  // connect() first, as fwknop does: an address without a route fails here and the next one is tried.
  if (connect(fd.get(), endpoint.get(), endpoint.length) != 0) {
    return fail(ClientError{"cannot send to " + where + ": " + errno_text(errno)});
  }
  ssize_t sent = -1;
  do {
    sent = send(fd.get(), payload.data(), payload.size(), 0);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return fail(ClientError{"sending to " + where + " failed: " + errno_text(errno)});
  return SendReport{std::size_t(sent), where};
}

}  // namespace

Result<SendReport> send_udp(std::string_view payload, const SendRequest& request) {
  auto endpoints = resolve_endpoints(request.server, request.port, address_family_for(request), SOCK_DGRAM);
  if (!endpoints) return fail(endpoints.error());
  ClientError last_error;
  for (const Endpoint& endpoint : *endpoints) {
    auto report = send_to(endpoint, payload, request.source_port);
    if (report) return report;
    last_error = report.error();
  }
  return fail(last_error);
}

}  // namespace sesame::client
