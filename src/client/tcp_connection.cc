// SPDX-License-Identifier: GPL-2.0-or-later
// Non-blocking connect, send and drain with deadlines, for the stream transports.
#include "client/tcp_connection.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include "client/endpoint.h"

namespace sesame::client {
namespace {

using Clock = std::chrono::steady_clock;

std::string describe(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 == 0) return std::to_string(timeout.count() / 1000) + " s";
  return std::to_string(timeout.count()) + " ms";
}

// 1: ready, 0: deadline passed, -1: poll failed (errno set).
int wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd entry{fd, events, 0};
    const int ready = poll(&entry, 1, int(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    return ready < 0 ? -1 : (ready == 0 ? 0 : 1);
  }
}

ClientError connect_error(const std::string& where, int error_number) {
  if (error_number == ECONNREFUSED) return {"connection to " + where + " refused"};
  return {"connection to " + where + " failed: " + errno_text(error_number)};
}

Result<UniqueFd> connect_one(const Endpoint& endpoint, std::uint16_t source_port, std::chrono::milliseconds timeout) {
  const std::string where = format_endpoint(endpoint);
  UniqueFd fd(socket(endpoint.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!fd.is_valid()) return fail(ClientError{"cannot create a TCP socket for " + where + ": " + errno_text(errno)});
  if (source_port != 0) {
    // A previous run's connection from this port may sit in TIME_WAIT; without this -S fails for a minute.
    const int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (auto bound = bind_source_port(fd.get(), endpoint.family(), source_port); !bound) return fail(bound.error());
  }
  if (connect(fd.get(), endpoint.get(), endpoint.length) == 0) return fd;
  if (errno != EINPROGRESS) return fail(connect_error(where, errno));
  const int ready = wait_for(fd.get(), POLLOUT, Clock::now() + timeout);
  if (ready == 0) return fail(ClientError{"connection to " + where + " timed out after " + describe(timeout)});
  if (ready < 0) return fail(connect_error(where, errno));
  int so_error = 0;
  socklen_t length = sizeof(so_error);
  if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &length) != 0) return fail(connect_error(where, errno));
  if (so_error != 0) return fail(connect_error(where, so_error));
  return fd;
}

}  // namespace

Result<TcpConnection> TcpConnection::open(std::string_view host, std::uint16_t port, int family,
                                          std::uint16_t source_port, std::chrono::milliseconds timeout) {
  auto endpoints = resolve_endpoints(host, port, family, SOCK_STREAM);
  if (!endpoints) return fail(endpoints.error());
  ClientError last_error;
  for (const Endpoint& endpoint : *endpoints) {
    auto fd = connect_one(endpoint, source_port, timeout);
    if (fd) return TcpConnection(std::move(*fd), format_endpoint(endpoint));
    last_error = fd.error();
  }
  return fail(last_error);
}

Result<Ok> TcpConnection::send_all(std::string_view data, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    const ssize_t sent = send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      data.remove_prefix(std::size_t(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const int ready = wait_for(fd_.get(), POLLOUT, deadline);
      if (ready > 0) continue;
      if (ready == 0) return fail(ClientError{"sending to " + destination_ + " timed out after " + describe(timeout)});
    }
    return fail(ClientError{"sending to " + destination_ + " failed: " + errno_text(errno)});
  }
  return Ok{};
}

void TcpConnection::drain(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::array<char, 4096> discard{};
  while (wait_for(fd_.get(), POLLIN, deadline) > 0) {
    const ssize_t got = recv(fd_.get(), discard.data(), discard.size(), 0);
    if (got > 0 || (got < 0 && errno == EINTR)) continue;
    return;  // closed by the peer, reset, or nothing more to read
  }
}

}  // namespace sesame::client
