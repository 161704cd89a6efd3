// SPDX-License-Identifier: GPL-2.0-or-later
// load_generator: builds a pool of fresh SPA packets (valid or junk), then sends all of it with sendmmsg as fast as
// one pinned core allows (or at --rate packets/s), and prints what it sent and when.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
    "--dest IP [--port 62201] [--source IP] [--access IP,tcp/PORT] [--kind valid|base64|binary|badhmac] "
    "[--count N] [--cpu C] [--rate PPS (0: flat out)] [--key K] [--hmac-key H] [--access-prefix A.B (one /16 address "
    "per packet, each a new grant)]";
constexpr std::size_t kBatch = 64;

sockaddr_in address(const std::string& ip, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(std::uint16_t(port));
  if (inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1) {
    std::fprintf(stderr, "load_generator: not an IPv4 address: %s\n", ip.c_str());
    std::exit(2);
  }
  return sa;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args(argc, argv, kUsage);
  const std::string dest = args.text("dest");
  if (dest.empty()) return std::fprintf(stderr, "usage: %s %s\n", argv[0], kUsage), 2;
  const auto kind = parse_packet_kind(args.text("kind", "valid"));
  if (!kind) return std::fprintf(stderr, "load_generator: unknown --kind\n"), 2;
  const std::string source = args.text("source");
  const std::string access = args.text("access", (source.empty() ? dest : source) + ",tcp/22222");
  const auto count = std::size_t(args.number("count", 100000));
  const long long rate = args.number("rate", 0);
  pin_to_cpu(int(args.number("cpu", -1)));

  auto factory = PacketFactory::create({args.text("key", "bench-encryption-key-0123456789"),
                                        args.text("hmac-key", "bench-hmac-key-abcdefghijklmnopqrstuvwxyz-0123456789")});
  if (!factory) return std::fprintf(stderr, "load_generator: bad keys\n"), 2;
  const auto build_start = Clock::now();
  const std::string access_prefix = args.text("access-prefix");
  std::vector<std::string> pool;
  if (access_prefix.empty()) {
    pool = factory->make_pool(*kind, access, count);
  } else {  // the servers grant the address in the message (SOURCE ANY, REQUIRE_SOURCE_ADDRESS N)
    pool.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
      pool.push_back(factory->make(*kind, access_prefix + "." + std::to_string(i / 250 % 256) + "." +
                                              std::to_string(1 + i % 250) + ",tcp/22222"));
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - build_start).count();

  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int sndbuf = 64 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  if (!source.empty()) {
    const sockaddr_in from = address(source, 0);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0) return std::perror("bind"), 1;
  }
  sockaddr_in to = address(dest, int(args.number("port", 62201)));

  // Every message header points into the pool, built before the clock starts: sending costs only the syscalls.
  std::vector<iovec> iovs(count);
  std::vector<mmsghdr> headers(count);
  for (std::size_t i = 0; i < count; ++i) {
    iovs[i] = {pool[i].data(), pool[i].size()};
    headers[i] = {};
    headers[i].msg_hdr.msg_name = &to;
    headers[i].msg_hdr.msg_namelen = sizeof to;
    headers[i].msg_hdr.msg_iov = &iovs[i];
    headers[i].msg_hdr.msg_iovlen = 1;
  }

  const long long send_start_ns = realtime_ns();
  const auto send_start = Clock::now();
  std::size_t sent = 0;
  std::size_t errors = 0;
  while (sent < count) {
    if (rate > 0) {  // paced: never ahead of rate * elapsed
      const double elapsed = std::chrono::duration<double>(Clock::now() - send_start).count();
      const auto allowed = std::size_t(elapsed * double(rate)) + 1;
      if (sent >= allowed) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        continue;
      }
    }
    const std::size_t batch = std::min(kBatch, count - sent);
    const int done = ::sendmmsg(fd, &headers[sent], unsigned(rate > 0 ? 1 : batch), 0);
    if (done <= 0) {  // ENOBUFS and friends: count the packet as lost on the sender's side and go on
      ++errors;
      ++sent;
      continue;
    }
    sent += std::size_t(done);
  }
  const long long send_end_ns = realtime_ns();
  ::close(fd);
  const double send_s = double(send_end_ns - send_start_ns) / 1e9;
  std::printf("count=%zu send_errors=%zu build_s=%.3f send_s=%.6f send_pps=%.0f send_start_ns=%lld send_end_ns=%lld\n",
              count, errors, build_s, send_s, double(count) / send_s, send_start_ns, send_end_ns);
  return 0;
}
