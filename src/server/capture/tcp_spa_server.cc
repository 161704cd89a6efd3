// SPDX-License-Identifier: GPL-2.0-or-later
// TcpSpaServer: the listener, its own epoll set, and the bounded per-connection buffers.
#include "server/capture/tcp_spa_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace sesame::server::capture {
namespace {

constexpr int kListenBacklog = 64;
constexpr int kMaxAcceptsPerPoll = 64;
constexpr std::size_t kEventsPerPoll = 64;  // a connect flood still leaves the daemon's other fds their turn

struct Endpoint {
  config::IpAddress address;
  std::uint16_t port = 0;
};

Endpoint endpoint_of(const sockaddr_storage& storage) {
  if (storage.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &storage, sizeof(in6));
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    // A dual-stack socket names IPv4 peers ::ffff:a.b.c.d; access.conf and the firewall want a.b.c.d.
    return {config::IpAddress::ipv6(bytes).unmapped(), ntohs(in6.sin6_port)};
  }
  sockaddr_in in4{};
  std::memcpy(&in4, &storage, sizeof(in4));
  return {config::IpAddress::ipv4(ntohl(in4.sin_addr.s_addr)), ntohs(in4.sin_port)};
}

std::string errno_text(std::string_view what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

struct SocketError {
  int code = 0;  // errno, for listen_any to tell "no IPv6 here" from a real failure
  std::string text;
};

SocketError socket_error(std::string_view what) {
  const int code = errno;
  return {code, errno_text(what, code)};
}

struct Listener {
  UniqueFd socket;
  bool dual_stack = false;
};

Result<Listener, SocketError> listen_on(const config::IpAddress& address, std::uint16_t port, bool dual_stack) {
  const int family = address.is_ipv4() ? AF_INET : AF_INET6;
  UniqueFd socket(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!socket.is_valid()) return fail(socket_error("socket"));
  const int yes = 1;
  // A restarted daemon must rebind while the last run's connections sit in TIME_WAIT.
  if (::setsockopt(socket.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) != 0) {
    return fail(socket_error("SO_REUSEADDR"));
  }
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (family == AF_INET6) {
    // Explicit, since net.ipv6.bindv6only may default either way.
    const int v6only = dual_stack ? 0 : 1;
    if (::setsockopt(socket.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) != 0) {
      return fail(socket_error("IPV6_V6ONLY"));
    }
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&in6.sin6_addr, address.bytes().data(), 16);
    std::memcpy(&storage, &in6, sizeof(in6));
    length = sizeof(in6);
  } else {
    sockaddr_in in4{};
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    std::memcpy(&in4.sin_addr, address.bytes().data(), 4);
    std::memcpy(&storage, &in4, sizeof(in4));
    length = sizeof(in4);
  }
  if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
    const int code = errno;  // before building the text, which allocates
    return fail(SocketError{code, errno_text("bind " + address.to_string() + " port " + std::to_string(port), code)});
  }
  if (::listen(socket.get(), kListenBacklog) != 0) return fail(socket_error("listen"));
  return Listener{std::move(socket), family == AF_INET6 && dual_stack};
}

// [::] for both families; 0.0.0.0 on a host whose kernel has no IPv6 (ipv6.disable=1).
Result<Listener, SocketError> listen_any(std::uint16_t port) {
  auto dual = listen_on(config::IpAddress::ipv6({}), port, true);
  if (dual) return dual;
  const int code = dual.error().code;
  if (code != EAFNOSUPPORT && code != EADDRNOTAVAIL && code != EPROTONOSUPPORT) return dual;
  return listen_on(config::IpAddress::ipv4(INADDR_ANY), port, false);
}

// An HTTP request head ends with an empty line; a bare SPA payload (base64) never contains one.
bool has_request_head(std::string_view received) {
  return received.find("\r\n\r\n") != std::string_view::npos || received.find("\n\n") != std::string_view::npos;
}

}  // namespace

TcpSpaServer::TcpSpaServer(TcpSpaServer&&) noexcept = default;
TcpSpaServer& TcpSpaServer::operator=(TcpSpaServer&&) noexcept = default;
TcpSpaServer::~TcpSpaServer() = default;

Result<TcpSpaServer, std::string> TcpSpaServer::open(const TcpSpaServerOptions& options) {
  if (options.max_connections == 0 || options.max_request_bytes == 0) {
    return fail(std::string("TCP server: max_connections and max_request_bytes must be positive"));
  }
  TcpSpaServer server;
  server.options_ = options;
  server.events_.resize(kEventsPerPoll);
  auto listener = options.bind_address ? listen_on(*options.bind_address, options.port,
                                                   !options.bind_address->is_ipv4() &&
                                                       *options.bind_address == config::IpAddress::ipv6({}))
                                       : listen_any(options.port);
  if (!listener) return fail(listener.error().text);
  server.listener_ = std::move(listener->socket);
  server.dual_stack_ = listener->dual_stack;

  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (::getsockname(server.listener_.get(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return fail(errno_text("getsockname", errno));
  }
  server.local_port_ = endpoint_of(bound).port;

  server.epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!server.epoll_.is_valid()) return fail(errno_text("epoll_create1", errno));
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered: what one poll leaves pending wakes the daemon again
  event.data.fd = server.listener_.get();
  if (::epoll_ctl(server.epoll_.get(), EPOLL_CTL_ADD, server.listener_.get(), &event) != 0) {
    return fail(errno_text("epoll_ctl", errno));
  }
  return server;
}

std::optional<std::int64_t> TcpSpaServer::next_deadline_s() const {
  if (connections_.empty()) return std::nullopt;
  return connections_.front().deadline_s;  // accept order is deadline order
}

void TcpSpaServer::poll(std::int64_t now_s, const Deliver& deliver) {
  poll_and_answer(now_s, [&deliver](const CapturedPacket& packet, std::string_view raw) {
    deliver(packet, raw);
    return std::string();
  });
}

void TcpSpaServer::poll_and_answer(std::int64_t now_s, const Answer& answer) {
  const int ready = ::epoll_wait(epoll_.get(), events_.data(), int(events_.size()), 0);
  for (int i = 0; i < ready; ++i) {
    const int fd = events_[std::size_t(i)].data.fd;
    if (fd == listener_.get()) {
      accept_pending(now_s);
      continue;
    }
    // Found by fd, not by a stored index or pointer: an earlier event of this batch may have closed connections.
    const auto it = std::find_if(connections_.begin(), connections_.end(),
                                 [fd](const Connection& connection) { return connection.socket.get() == fd; });
    if (it == connections_.end()) continue;
    const ReadState state = read_ready(*it);
    if (state != ReadState::kWaiting) finish(std::size_t(it - connections_.begin()), now_s, state, answer);
  }
  while (!connections_.empty() && connections_.front().deadline_s <= now_s) {
    ++counters_.timed_out;
    connections_.erase(connections_.begin());  // closes the socket, which also leaves the epoll set
  }
}

void TcpSpaServer::accept_pending(std::int64_t now_s) {
  for (int round = 0; round < kMaxAcceptsPerPoll; ++round) {
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    UniqueFd socket(
        ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!socket.is_valid()) return;  // EAGAIN: drained; ECONNABORTED, EMFILE, ...: next wake-up retries
    sockaddr_storage local{};
    socklen_t local_length = sizeof(local);
    if (::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&local), &local_length) != 0) continue;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = socket.get();
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, socket.get(), &event) != 0) continue;
    ++counters_.accepted;
    if (connections_.size() >= options_.max_connections) {
      // The oldest has had the longest to send its few hundred bytes; a flood of idle connections then
      // only ever displaces itself, never a client that is sending right now for long.
      ++counters_.evicted;
      connections_.erase(connections_.begin());
    }
    const Endpoint source = endpoint_of(peer);
    const Endpoint destination = endpoint_of(local);
    Connection connection;
    connection.socket = std::move(socket);
    connection.deadline_s = now_s + options_.request_timeout_s;
    connection.source = source.address;
    connection.source_port = source.port;
    connection.destination = destination.address;
    connection.destination_port = destination.port;
    connections_.push_back(std::move(connection));
  }
}

TcpSpaServer::ReadState TcpSpaServer::read_ready(Connection& connection) const {
  char buffer[1024];
  while (true) {
    const std::size_t room = options_.max_request_bytes - connection.received.size();
    // One byte more than fits: reading it proves the request too long, so a request of exactly the limit that
    // the peer then half-closes is still complete.
    const ssize_t got = ::recv(connection.socket.get(), buffer, std::min(sizeof(buffer), room + 1), 0);
    if (got == 0) return connection.received.empty() ? ReadState::kFailed : ReadState::kComplete;
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? ReadState::kWaiting : ReadState::kFailed;
    }
    if (std::size_t(got) > room) return ReadState::kTooLong;
    connection.received.append(buffer, std::size_t(got));
    if (has_request_head(connection.received)) return ReadState::kComplete;
  }
}

void TcpSpaServer::finish(std::size_t index, std::int64_t now_s, ReadState state, const Answer& answer) {
  // Out of the list before the callback runs, so that whatever the callback does, it is delivered once.
  const Connection connection = std::move(connections_[index]);
  connections_.erase(connections_.begin() + std::ptrdiff_t(index));
  if (state == ReadState::kTooLong) ++counters_.too_long;
  if (state == ReadState::kFailed) ++counters_.failed;
  if (state != ReadState::kComplete) return;
  ++counters_.delivered;
  CapturedPacket packet;
  packet.payload = connection.received;
  packet.source = connection.source;
  packet.source_port = connection.source_port;
  packet.destination = connection.destination;
  packet.destination_port = connection.destination_port;
  packet.ip_protocol = 6;
  packet.received_s = now_s;
  const std::string reply = answer(packet, connection.received);
  for (std::size_t sent = 0; sent < reply.size();) {
    const ssize_t n = ::send(connection.socket.get(), reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // EAGAIN (full), EPIPE (gone): never wait for a reader
    sent += std::size_t(n);
  }
}

}  // namespace sesame::server::capture
