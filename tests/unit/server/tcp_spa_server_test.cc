// SPDX-License-Identifier: GPL-2.0-or-later
// TcpSpaServer on loopback with an ephemeral port: requests reach the callback once with the socket's addresses,
// the connection count and request size are bounded, silent connections time out, IPv6 works where available.
#include "server/capture/tcp_spa_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace sesame::server::capture {
namespace {

constexpr std::int64_t kNow = 1700000000;

const std::string kRequest = "GET /" + std::string(200, 'A') +
                             " HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\nAccept: */*\r\nHost: x\r\nConnection: "
                             "close\r\n\r\n";

struct Received {
  std::string payload;
  std::string raw;
  CapturedPacket packet;  // payload view reset: only valid during the callback
};

struct Harness {
  TcpSpaServer server;
  std::vector<Received> received;

  void poll_once(std::int64_t now_s) {
    server.poll(now_s, [this](const CapturedPacket& packet, std::string_view raw) {
      Received got{std::string(packet.payload), std::string(raw), packet};
      got.packet.payload = {};
      received.push_back(std::move(got));
    });
  }
  // Waits on the server's epoll fd as the daemon would, until `done` or 3 s.
  template <class Done>
  bool poll_until(Done done, std::int64_t now_s = kNow) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
      epoll_event event{};
      event.events = EPOLLIN;
      ::epoll_ctl(epoll, EPOLL_CTL_ADD, server.fd(), &event);
      ::epoll_wait(epoll, &event, 1, 50);
      ::close(epoll);
      poll_once(now_s);
    }
    return true;
  }
};

std::optional<Harness> open_server(TcpSpaServerOptions options) {
  auto server = TcpSpaServer::open(options);
  if (!server) {
    ADD_FAILURE() << server.error();
    return std::nullopt;
  }
  return Harness{std::move(*server), {}};
}

TcpSpaServerOptions loopback(std::string_view address = "127.0.0.1") {
  TcpSpaServerOptions options;
  options.port = 0;
  options.bind_address = config::IpAddress::parse(address);
  return options;
}

// A blocking client socket connected to address:port, or invalid.
UniqueFd connect_to(std::string_view address, std::uint16_t port) {
  const auto ip = config::IpAddress::parse(address);
  if (!ip) return {};
  UniqueFd socket(::socket(ip->is_ipv4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.is_valid()) return {};
  int result = -1;
  if (ip->is_ipv4()) {
    sockaddr_in in4{};
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    std::memcpy(&in4.sin_addr, ip->bytes().data(), 4);
    result = ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&in4), sizeof(in4));
  } else {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&in6.sin6_addr, ip->bytes().data(), 16);
    result = ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&in6), sizeof(in6));
  }
  if (result != 0) return {};
  return socket;
}

std::uint16_t local_port_of(const UniqueFd& socket) {
  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&local), &length);
  if (local.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
}

bool send_text(const UniqueFd& socket, std::string_view text) {
  return ::send(socket.get(), text.data(), text.size(), MSG_NOSIGNAL) == ssize_t(text.size());
}

// The server closed its end: recv sees EOF (or a reset, when it closed with our bytes unread).
bool closed_by_server(const UniqueFd& socket) {
  timeval wait{2, 0};
  ::setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  char byte = 0;
  const ssize_t got = ::recv(socket.get(), &byte, 1, 0);
  return got == 0 || (got < 0 && errno == ECONNRESET);
}

TEST(TcpSpaServer, DeliversAnHttpRequestOnceWithTheSocketAddresses) {
  auto harness = open_server(loopback());
  ASSERT_TRUE(harness);
  ASSERT_NE(harness->server.local_port(), 0);
  const UniqueFd client = connect_to("127.0.0.1", harness->server.local_port());
  ASSERT_TRUE(client.is_valid());
  ASSERT_TRUE(send_text(client, kRequest));  // no half-close: the empty line completes it

  ASSERT_TRUE(harness->poll_until([&] { return !harness->received.empty(); }));
  const Received& got = harness->received.front();
  EXPECT_EQ(got.payload, kRequest);
  EXPECT_EQ(got.raw, kRequest);
  EXPECT_EQ(got.packet.source.to_string(), "127.0.0.1");
  EXPECT_EQ(got.packet.source_port, local_port_of(client));
  EXPECT_EQ(got.packet.destination.to_string(), "127.0.0.1");
  EXPECT_EQ(got.packet.destination_port, harness->server.local_port());
  EXPECT_EQ(got.packet.ip_protocol, 6);
  EXPECT_EQ(got.packet.received_s, kNow);

  EXPECT_TRUE(closed_by_server(client));
  harness->poll_once(kNow);
  EXPECT_EQ(harness->received.size(), 1u);
  EXPECT_EQ(harness->server.connection_count(), 0u);
  EXPECT_EQ(harness->server.counters().delivered, 1u);
}

TEST(TcpSpaServer, DeliversABarePayloadAtHalfClose) {
  auto harness = open_server(loopback());
  ASSERT_TRUE(harness);
  const UniqueFd client = connect_to("127.0.0.1", harness->server.local_port());
  ASSERT_TRUE(client.is_valid());
  const std::string wire(180, 'B');  // -P tcp: the wire string, then close
  ASSERT_TRUE(send_text(client, wire.substr(0, 90)));
  harness->poll_once(kNow);
  EXPECT_TRUE(harness->received.empty());  // no end yet
  ASSERT_TRUE(send_text(client, wire.substr(90)));
  ASSERT_EQ(::shutdown(client.get(), SHUT_WR), 0);
  ASSERT_TRUE(harness->poll_until([&] { return !harness->received.empty(); }));
  EXPECT_EQ(harness->received.front().payload, wire);
}

TEST(TcpSpaServer, ConnectionsClosedWithoutDataAreNotDelivered) {
  auto harness = open_server(loopback());
  ASSERT_TRUE(harness);
  {
    const UniqueFd client = connect_to("127.0.0.1", harness->server.local_port());
    ASSERT_TRUE(client.is_valid());
  }
  ASSERT_TRUE(harness->poll_until([&] { return harness->server.counters().failed == 1; }));
  EXPECT_TRUE(harness->received.empty());
  EXPECT_EQ(harness->server.connection_count(), 0u);
}

TEST(TcpSpaServer, ConnectionCountIsBoundedByDroppingTheOldest) {
  TcpSpaServerOptions options = loopback();
  options.max_connections = 4;
  auto harness = open_server(options);
  ASSERT_TRUE(harness);
  std::vector<UniqueFd> clients;
  for (int i = 0; i < 12; ++i) {
    clients.push_back(connect_to("127.0.0.1", harness->server.local_port()));
    ASSERT_TRUE(clients.back().is_valid());
  }
  ASSERT_TRUE(harness->poll_until([&] { return harness->server.counters().accepted == 12; }));
  EXPECT_EQ(harness->server.connection_count(), 4u);
  EXPECT_EQ(harness->server.counters().evicted, 8u);
  EXPECT_TRUE(closed_by_server(clients.front()));  // the oldest went first

  // The newest are still served.
  ASSERT_TRUE(send_text(clients.back(), kRequest));
  ASSERT_TRUE(harness->poll_until([&] { return !harness->received.empty(); }));
  EXPECT_EQ(harness->received.front().packet.source_port, local_port_of(clients.back()));
}

TEST(TcpSpaServer, RequestSizeIsBounded) {
  auto harness = open_server(loopback());
  ASSERT_TRUE(harness);
  const UniqueFd client = connect_to("127.0.0.1", harness->server.local_port());
  ASSERT_TRUE(client.is_valid());
  ASSERT_TRUE(send_text(client, std::string(5000, 'A')));
  ASSERT_TRUE(harness->poll_until([&] { return harness->server.counters().too_long == 1; }));
  EXPECT_TRUE(harness->received.empty());
  EXPECT_EQ(harness->server.connection_count(), 0u);

  // Exactly the limit, then a half-close: still complete.
  const UniqueFd exact = connect_to("127.0.0.1", harness->server.local_port());
  ASSERT_TRUE(exact.is_valid());
  ASSERT_TRUE(send_text(exact, std::string(4096, 'A')));
  ASSERT_EQ(::shutdown(exact.get(), SHUT_WR), 0);
  ASSERT_TRUE(harness->poll_until([&] { return !harness->received.empty(); }));
  EXPECT_EQ(harness->received.front().payload.size(), 4096u);
}

TEST(TcpSpaServer, SilentConnectionIsClosedAfterTheTimeout) {
  TcpSpaServerOptions options = loopback();
  options.request_timeout_s = 3;
  auto harness = open_server(options);
  ASSERT_TRUE(harness);
  const UniqueFd client = connect_to("127.0.0.1", harness->server.local_port());
  ASSERT_TRUE(client.is_valid());
  ASSERT_TRUE(harness->poll_until([&] { return harness->server.connection_count() == 1; }));
  EXPECT_EQ(harness->server.next_deadline_s(), kNow + 3);
  harness->poll_once(kNow + 2);
  EXPECT_EQ(harness->server.connection_count(), 1u);
  ASSERT_TRUE(send_text(client, "GET /AAAA"));  // trickling bytes does not extend the deadline
  harness->poll_once(kNow + 2);
  harness->poll_once(kNow + 3);
  EXPECT_EQ(harness->server.connection_count(), 0u);
  EXPECT_EQ(harness->server.counters().timed_out, 1u);
  EXPECT_FALSE(harness->server.next_deadline_s());
  EXPECT_TRUE(closed_by_server(client));
  EXPECT_TRUE(harness->received.empty());
}

TEST(TcpSpaServer, DefaultListenerTakesIpv4PeersAsPlainIpv4) {
  TcpSpaServerOptions options;
  options.port = 0;  // [::] (or 0.0.0.0 without IPv6): the daemon's default
  auto harness = open_server(options);
  ASSERT_TRUE(harness);
  const UniqueFd client = connect_to("127.0.0.1", harness->server.local_port());
  ASSERT_TRUE(client.is_valid());
  ASSERT_TRUE(send_text(client, kRequest));
  ASSERT_TRUE(harness->poll_until([&] { return !harness->received.empty(); }));
  EXPECT_EQ(harness->received.front().packet.source.to_string(), "127.0.0.1");  // not ::ffff:127.0.0.1
  EXPECT_EQ(harness->received.front().packet.destination.to_string(), "127.0.0.1");
}

TEST(TcpSpaServer, Ipv6LoopbackWorksWhereAvailable) {
  auto server = TcpSpaServer::open(loopback("::1"));
  if (!server) GTEST_SKIP() << "SKIPPED: no IPv6 loopback here (" << server.error() << ")";
  Harness harness{std::move(*server), {}};
  const UniqueFd client = connect_to("::1", harness.server.local_port());
  ASSERT_TRUE(client.is_valid());
  ASSERT_TRUE(send_text(client, kRequest));
  ASSERT_TRUE(harness.poll_until([&] { return !harness.received.empty(); }));
  EXPECT_EQ(harness.received.front().packet.source.to_string(), "::1");
  EXPECT_EQ(harness.received.front().packet.destination.to_string(), "::1");
  EXPECT_EQ(harness.received.front().packet.source_port, local_port_of(client));
}

TEST(TcpSpaServer, RefusesZeroBounds) {
  TcpSpaServerOptions options = loopback();
  options.max_connections = 0;
  EXPECT_FALSE(TcpSpaServer::open(options).has_value());
}

}  // namespace
}  // namespace sesame::server::capture
