// SPDX-License-Identifier: GPL-2.0-or-later
// send_spa_packet over udp and tcp to peers on loopback, option checks, and resolver errors (protocol.md §12).
#include "client/spa_sender.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/client/loopback_peer.h"

namespace sesame::client {
namespace {

using namespace std::chrono_literals;
using config::SpaProtocol;
using loopback::bind_loopback;
using loopback::listen_loopback;
using loopback::receive_datagram;

// Shaped like a real SPA packet: base64 with '+' and '/', no padding, no newline.
const std::string kWire =
    "8Vh3+dxR1ZtF6VQm0+Kf7gL3tnyVY2m5/8yq7Y0CEhl6Jg1nE7gI7b1o5m3rX7v4Ah8vE0YxS1zJv0Ai+p4kY8z1qFmC3hL6dT9wN2bR5uG0sKx"
    "J7cV4eQ1aZ/8fH3mW6pO9iU2tL5rE8yB1nD4gS7jA0kX3vC6qM9hF2lP5oI8uT1wR4eY7zN0bG3sK6dJ9cV2xQ5aH8fL1mW4pO7";

std::uint16_t source_port_of(const sockaddr_storage& from) {
  if (from.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&from)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&from)->sin6_port);
}

SendRequest request_to(std::string server, std::uint16_t port, SpaProtocol protocol = SpaProtocol::kUdp) {
  SendRequest request;
  request.server = std::move(server);
  request.port = port;
  request.protocol = protocol;
  return request;
}

TEST(SpaSender, UdpSendsTheWireAsOneDatagramOverIpv4) {
  auto receiver = bind_loopback(SOCK_DGRAM, "127.0.0.1");
  ASSERT_TRUE(receiver.fd.is_valid());
  const auto report = send_spa_packet(kWire, request_to("127.0.0.1", receiver.port));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->bytes_sent, kWire.size());
  EXPECT_EQ(report->destination, "127.0.0.1:" + std::to_string(receiver.port));
  const auto datagram = receive_datagram(receiver.fd.get(), 2s);
  ASSERT_TRUE(datagram);
  EXPECT_EQ(datagram->payload, kWire);
}

TEST(SpaSender, UdpSendsOverIpv6) {
  auto receiver = bind_loopback(SOCK_DGRAM, "::1");
  if (!receiver.fd.is_valid()) GTEST_SKIP() << "SKIPPED: no IPv6 loopback";
  const auto report = send_spa_packet(kWire, request_to("::1", receiver.port));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->destination, "[::1]:" + std::to_string(receiver.port));
  const auto datagram = receive_datagram(receiver.fd.get(), 2s);
  ASSERT_TRUE(datagram);
  EXPECT_EQ(datagram->payload, kWire);
  EXPECT_EQ(datagram->from.ss_family, AF_INET6);
}

TEST(SpaSender, UdpAcceptsABracketedIpv6Literal) {
  auto receiver = bind_loopback(SOCK_DGRAM, "::1");
  if (!receiver.fd.is_valid()) GTEST_SKIP() << "SKIPPED: no IPv6 loopback";
  const auto report = send_spa_packet(kWire, request_to("[::1]", receiver.port));
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_TRUE(receive_datagram(receiver.fd.get(), 2s));
}

TEST(SpaSender, UdpHonoursTheSourcePort) {
  auto receiver = bind_loopback(SOCK_DGRAM, "127.0.0.1");
  ASSERT_TRUE(receiver.fd.is_valid());
  SendRequest request = request_to("127.0.0.1", receiver.port);
  request.source_port = loopback::unused_port(SOCK_DGRAM);
  ASSERT_NE(request.source_port, 0);
  const auto report = send_spa_packet(kWire, request);
  ASSERT_TRUE(report) << report.error().message;
  const auto datagram = receive_datagram(receiver.fd.get(), 2s);
  ASSERT_TRUE(datagram);
  EXPECT_EQ(source_port_of(datagram->from), request.source_port);
}

TEST(SpaSender, SourcePortInUseIsAnError) {
  auto receiver = bind_loopback(SOCK_DGRAM, "127.0.0.1");
  auto taken = bind_loopback(SOCK_DGRAM, "0.0.0.0");
  ASSERT_TRUE(receiver.fd.is_valid() && taken.fd.is_valid());
  SendRequest request = request_to("127.0.0.1", receiver.port);
  request.source_port = taken.port;
  const auto report = send_spa_packet(kWire, request);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message,
            "cannot use source port " + std::to_string(taken.port) + ": Address already in use");
}

TEST(SpaSender, Ipv4OnlyPicksTheIpv4AddressOfAName) {
  auto receiver = bind_loopback(SOCK_DGRAM, "127.0.0.1");
  ASSERT_TRUE(receiver.fd.is_valid());
  SendRequest request = request_to("localhost", receiver.port);
  request.ipv4_only = true;
  const auto report = send_spa_packet(kWire, request);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->destination, "127.0.0.1:" + std::to_string(receiver.port));
  EXPECT_TRUE(receive_datagram(receiver.fd.get(), 2s));
}

TEST(SpaSender, Ipv4OnlyRefusesAnIpv6Literal) {
  SendRequest request = request_to("::1", 62201);
  request.ipv4_only = true;
  const auto report = send_spa_packet(kWire, request);
  ASSERT_FALSE(report);
  EXPECT_TRUE(report.error().message.starts_with("cannot resolve host '::1': ")) << report.error().message;
}

TEST(SpaSender, Ipv6OnlyRefusesAnIpv4Literal) {
  SendRequest request = request_to("127.0.0.1", 62201);
  request.ipv6_only = true;
  const auto report = send_spa_packet(kWire, request);
  ASSERT_FALSE(report);
  EXPECT_TRUE(report.error().message.starts_with("cannot resolve host '127.0.0.1': ")) << report.error().message;
}

TEST(SpaSender, UnresolvableNameIsAnError) {
  const auto report = send_spa_packet(kWire, request_to("no-such-host.invalid", 62201));
  ASSERT_FALSE(report);
  EXPECT_TRUE(report.error().message.starts_with("cannot resolve host 'no-such-host.invalid': "))
      << report.error().message;
}

TEST(SpaSender, TcpConnectsSendsTheWireAndCloses) {
  auto listener = listen_loopback("127.0.0.1");
  ASSERT_TRUE(listener.fd.is_valid());
  // The kernel completes the handshake from the backlog, so no accepting thread is needed.
  const auto report = send_spa_packet(kWire, request_to("127.0.0.1", listener.port, SpaProtocol::kTcp));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->bytes_sent, kWire.size());
  EXPECT_EQ(report->destination, "127.0.0.1:" + std::to_string(listener.port));
  const UniqueFd peer = loopback::accept_one(listener.fd.get(), 2s);
  ASSERT_TRUE(peer.is_valid());
  EXPECT_EQ(loopback::read_until_eof(peer.get(), 2s), kWire);
}

TEST(SpaSender, TcpToAClosedPortIsRefused) {
  // Bound but not listening: the kernel answers the SYN with a reset.
  auto closed = bind_loopback(SOCK_STREAM, "127.0.0.1");
  ASSERT_TRUE(closed.fd.is_valid());
  const auto report = send_spa_packet(kWire, request_to("127.0.0.1", closed.port, SpaProtocol::kTcp));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "connection to 127.0.0.1:" + std::to_string(closed.port) + " refused");
}

TEST(SpaSender, SpoofedSourceNeedsARawProtocol) {
  for (const SpaProtocol protocol : {SpaProtocol::kUdp, SpaProtocol::kTcp, SpaProtocol::kHttp}) {
    SendRequest request = request_to("127.0.0.1", 62201, protocol);
    request.spoof_source = "10.99.99.99";
    const auto report = send_spa_packet(kWire, request);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message, "-Q (spoof source) needs -P udpraw, tcpraw or icmp");
  }
}

TEST(SpaSender, ProxyNeedsTheHttpProtocol) {
  SendRequest request = request_to("127.0.0.1", 62201, SpaProtocol::kUdp);
  request.http_proxy = "proxy:3128";
  const auto report = send_spa_packet(kWire, request);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "Cannot set --http-proxy with a non-HTTP protocol.");
}

TEST(SpaSender, EmptyWireIsAnError) {
  EXPECT_FALSE(send_spa_packet("", request_to("127.0.0.1", 62201)));
}

}  // namespace
}  // namespace sesame::client
