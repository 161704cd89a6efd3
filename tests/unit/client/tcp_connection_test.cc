// SPDX-License-Identifier: GPL-2.0-or-later
// TcpConnection: a connect that gets no answer gives up at its deadline with a clear message.
#include "client/tcp_connection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "unit/client/loopback_peer.h"

namespace sesame::client {
namespace {

using namespace std::chrono_literals;

TEST(TcpConnection, ConnectTimesOutWhenSynsGoUnanswered) {
  // A listener with a full accept queue drops further SYNs, like a firewall that drops silently.
  auto listener = loopback::listen_loopback("127.0.0.1", 0);
  ASSERT_TRUE(listener.fd.is_valid());
  std::vector<Result<TcpConnection>> fillers;
  for (int i = 0; i < 2; ++i) {
    fillers.push_back(TcpConnection::open("127.0.0.1", listener.port, AF_INET, 0, 200ms));
  }
  ASSERT_TRUE(fillers.front()) << fillers.front().error().message;

  const auto started = std::chrono::steady_clock::now();
  const auto connection = TcpConnection::open("127.0.0.1", listener.port, AF_INET, 0, 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().message,
            "connection to 127.0.0.1:" + std::to_string(listener.port) + " timed out after 300 ms");
  EXPECT_LT(elapsed, 2s);
}

TEST(TcpConnection, SendAllDeliversEverythingAndDrainReturnsOnClose) {
  auto listener = loopback::listen_loopback("127.0.0.1");
  ASSERT_TRUE(listener.fd.is_valid());
  auto connection = TcpConnection::open("127.0.0.1", listener.port, AF_UNSPEC, 0);
  ASSERT_TRUE(connection) << connection.error().message;
  const std::string big(200000, 'x');  // more than one socket buffer: exercises the wait for POLLOUT
  std::string received;
  std::thread reader([&] {
    const UniqueFd peer = loopback::accept_one(listener.fd.get(), 2s);
    if (!peer.is_valid()) return;
    while (received.size() < big.size()) {
      const std::string chunk = loopback::read_until_eof(peer.get(), 100ms);
      if (chunk.empty()) break;
      received += chunk;
    }
  });
  ASSERT_TRUE(connection->send_all(big));
  reader.join();  // the reader has closed its end
  const auto started = std::chrono::steady_clock::now();
  connection->drain(2s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(received.size(), big.size());
}

}  // namespace
}  // namespace sesame::client
