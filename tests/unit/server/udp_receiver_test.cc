// SPDX-License-Identifier: GPL-2.0-or-later
// UdpReceiver on loopback: batches, addresses (IPv4 through the dual-stack socket, IPv6), oversized datagrams.
#include "server/capture/udp_receiver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "common/unique_fd.h"

namespace sesame::server::capture {
namespace {

bool send_to(const char* address, std::uint16_t port, const std::string& payload) {
  const bool is_v6 = std::strchr(address, ':') != nullptr;
  UniqueFd fd(::socket(is_v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.is_valid()) return false;
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (is_v6) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(storage);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    inet_pton(AF_INET6, address, &in6.sin6_addr);
    length = sizeof in6;
  } else {
    auto& in4 = reinterpret_cast<sockaddr_in&>(storage);
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    inet_pton(AF_INET, address, &in4.sin_addr);
    length = sizeof in4;
  }
  return ::sendto(fd.get(), payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&storage), length) ==
         static_cast<ssize_t>(payload.size());
}

std::vector<std::string> receive_all(UdpReceiver& receiver, std::size_t expected,
                                     std::vector<CapturedPacket>* packets = nullptr) {
  std::vector<std::string> payloads;
  for (int attempt = 0; attempt < 50 && payloads.size() < expected; ++attempt) {
    pollfd waiting{receiver.fd(), POLLIN, 0};
    ::poll(&waiting, 1, 100);
    auto batch = receiver.receive(1000);
    if (!batch) break;
    for (const auto& packet : *batch) {
      payloads.emplace_back(packet.payload);
      if (packets) packets->push_back(packet);
    }
  }
  return payloads;
}

TEST(UdpReceiver, ReceivesABatchFromIpv4WithAddresses) {
  auto receiver =
      UdpReceiver::open({.port = 0, .bind_address = std::nullopt, .receive_buffer_bytes = 1 << 20, .batch_size = 8});
  ASSERT_TRUE(receiver) << receiver.error();
  ASSERT_NE(receiver->port(), 0);
  int buffer = 0;
  socklen_t length = sizeof buffer;
  ASSERT_EQ(::getsockopt(receiver->fd(), SOL_SOCKET, SO_RCVBUF, &buffer, &length), 0);
  // The kernel doubles what it is given; without CAP_NET_ADMIN it stops at net.core.rmem_max.
  if (::geteuid() == 0) {
    EXPECT_GE(buffer, 1 << 20);
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(send_to("127.0.0.1", receiver->port(), "datagram " + std::to_string(i)));
  std::vector<CapturedPacket> packets;
  const auto payloads = receive_all(*receiver, 20, &packets);
  ASSERT_EQ(payloads.size(), 20u);
  EXPECT_EQ(payloads.front(), "datagram 0");
  EXPECT_EQ(payloads.back(), "datagram 19");
  EXPECT_EQ(packets.front().source.to_string(), "127.0.0.1");  // not ::ffff:127.0.0.1
  EXPECT_EQ(packets.front().destination.to_string(), "127.0.0.1");
  EXPECT_EQ(packets.front().destination_port, receiver->port());
  EXPECT_EQ(packets.front().ip_protocol, 17);
  EXPECT_EQ(packets.front().received_s, 1000);
}

TEST(UdpReceiver, ReceivesIpv6) {
  auto receiver = UdpReceiver::open({.port = 0});
  ASSERT_TRUE(receiver) << receiver.error();
  if (!send_to("::1", receiver->port(), "over ipv6")) GTEST_SKIP() << "SKIPPED: no IPv6 loopback here";
  std::vector<CapturedPacket> packets;
  ASSERT_EQ(receive_all(*receiver, 1, &packets), std::vector<std::string>{"over ipv6"});
  EXPECT_EQ(packets.front().source.to_string(), "::1");
  EXPECT_EQ(packets.front().destination.to_string(), "::1");
}

TEST(UdpReceiver, OversizedDatagramIsReportedLongerThanTheMaximum) {
  auto receiver = UdpReceiver::open({.port = 0, .bind_address = "127.0.0.1"});
  ASSERT_TRUE(receiver) << receiver.error();
  ASSERT_TRUE(send_to("127.0.0.1", receiver->port(), std::string(4000, 'A')));
  const auto payloads = receive_all(*receiver, 1);
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads.front().size(), UdpReceiver::kMaxDatagram + 1);
}

TEST(UdpReceiver, EmptyQueueIsAnEmptyBatchAndBadAddressIsAnError) {
  auto receiver = UdpReceiver::open({.port = 0, .bind_address = "127.0.0.1"});
  ASSERT_TRUE(receiver) << receiver.error();
  auto batch = receiver->receive(0);
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->empty());
  auto bad = UdpReceiver::open({.port = 0, .bind_address = "not-an-address"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("not-an-address"), std::string::npos);
  auto taken = UdpReceiver::open({.port = receiver->port(), .bind_address = "127.0.0.1"});
  ASSERT_FALSE(taken);
  EXPECT_NE(taken.error().find("cannot bind"), std::string::npos);
}

}  // namespace
}  // namespace sesame::server::capture
