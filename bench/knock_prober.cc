// SPDX-License-Identifier: GPL-2.0-or-later
// knock_prober: knock → port open latency. For each knock, from its own source address (so the port is still
// closed for it), sends one fresh SPA packet, then tries a new non-blocking connect() every --retry-us until one
// completes; prints each latency in µs and a summary line.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench_args.h"
#include "packet_factory.h"

namespace {

using namespace sesame::bench;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "--server IP --first-source A.B.C.D [--count N] [--spa-port 62201] [--tcp-port 22222] [--retry-us 100] "
    "[--timeout-ms 3000] [--pause-ms 20] [--cpu C] [--key K] [--hmac-key H]";

sockaddr_in address(std::uint32_t host_order_ip, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(std::uint16_t(port));
  sa.sin_addr.s_addr = htonl(host_order_ip);
  return sa;
}

std::string dotted(std::uint32_t host_order_ip) {
  char text[INET_ADDRSTRLEN];
  const in_addr a{htonl(host_order_ip)};
  inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

// One connection attempt from `source`: true when the handshake completes within `wait`.
bool try_connect(const sockaddr_in& source, const sockaddr_in& target, std::chrono::microseconds wait) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const linger no_time_wait{1, 0};  // RST on close: thousands of attempts leave nothing behind
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_time_wait, sizeof no_time_wait);
  bool connected = false;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) == 0) {
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof target);
    if (rc == 0) {
      connected = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const timespec ts{0, long(wait.count()) * 1000};
      if (::ppoll(&p, 1, &ts, nullptr) == 1) {
        int error = 0;
        socklen_t len = sizeof error;
        connected = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
      }
    }
  }
  ::close(fd);
  return connected;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args(argc, argv, kUsage);
  in_addr server{};
  in_addr first{};
  if (inet_pton(AF_INET, args.text("server").c_str(), &server) != 1 ||
      inet_pton(AF_INET, args.text("first-source").c_str(), &first) != 1)
    return std::fprintf(stderr, "usage: %s %s\n", argv[0], kUsage), 2;
  const int count = int(args.number("count", 100));
  const int tcp_port = int(args.number("tcp-port", 22222));
  const auto retry = std::chrono::microseconds(args.number("retry-us", 100));
  const auto timeout = std::chrono::milliseconds(args.number("timeout-ms", 3000));
  const auto pause = std::chrono::milliseconds(args.number("pause-ms", 20));
  pin_to_cpu(int(args.number("cpu", -1)));
  auto factory = PacketFactory::create({args.text("key", "bench-encryption-key-0123456789"),
                                        args.text("hmac-key", "bench-hmac-key-abcdefghijklmnopqrstuvwxyz-0123456789")});
  if (!factory) return std::fprintf(stderr, "knock_prober: bad keys\n"), 2;

  const sockaddr_in spa_target = address(ntohl(server.s_addr), int(args.number("spa-port", 62201)));
  const sockaddr_in tcp_target = address(ntohl(server.s_addr), tcp_port);
  std::vector<double> latencies_us;
  int failures = 0;
  int open_before = 0;
  for (int i = 0; i < count; ++i) {
    const std::uint32_t source_ip = ntohl(first.s_addr) + std::uint32_t(i);
    const sockaddr_in source = address(source_ip, 0);
    // Built before the clock starts: the figure is the server's, not the encoder's.
    const std::string packet =
        factory->make(PacketKind::kValid, dotted(source_ip) + ",tcp/" + std::to_string(tcp_port));
    if (try_connect(source, tcp_target, std::chrono::microseconds(2000))) ++open_before;  // must stay 0
    const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (udp < 0 || ::bind(udp, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0)
      return std::perror("knock_prober: UDP socket"), 1;
    const auto sent = Clock::now();
    ::sendto(udp, packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&spa_target), sizeof spa_target);
    bool opened = false;
    while (Clock::now() - sent < timeout) {
      if (try_connect(source, tcp_target, retry)) {
        opened = true;
        break;
      }
    }
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - sent).count();
    ::close(udp);
    if (opened) {
      latencies_us.push_back(us);
      std::printf("knock %d %s %.1f\n", i, dotted(source_ip).c_str(), us);
    } else {
      ++failures;
      std::printf("knock %d %s failed\n", i, dotted(source_ip).c_str());
    }
    std::this_thread::sleep_for(pause);
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  auto percentile = [&](double p) {
    if (latencies_us.empty()) return -1.0;
    return latencies_us[std::min(latencies_us.size() - 1, std::size_t(p * double(latencies_us.size())))];
  };
  std::printf("summary knocks=%d opened=%zu failed=%d open_before=%d p50_us=%.1f p99_us=%.1f max_us=%.1f\n", count,
              latencies_us.size(), failures, open_before, percentile(0.50), percentile(0.99),
              latencies_us.empty() ? -1.0 : latencies_us.back());
  return failures == 0 && open_before == 0 ? 0 : 1;
}
