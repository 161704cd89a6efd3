// SPDX-License-Identifier: GPL-2.0-or-later
// udp_queue_watch: polls /proc/net/udp (of the namespace it runs in) until the receive queue of the socket bound to
// --port is empty, then prints that moment (CLOCK_REALTIME ns) and the socket's drop counter. The same yardstick
// for both servers: it needs nothing from their logs.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "bench_args.h"

namespace {

struct QueueState {
  bool found = false;
  unsigned long rx_queue = 0;
  unsigned long drops = 0;
};

// Lines look like: "  12: 0101D50A:F2F9 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1234 2 ... 0"
// Both tables: a dual-stack server's socket is listed in udp6 only.
void read_queue(const char* table, int port, QueueState& state) {
  std::ifstream file(table);
  std::string line;
  std::getline(file, line);  // header
  while (std::getline(file, line)) {
    std::istringstream in(line);
    std::string slot, local, remote, st, queues, timer, retrnsmt, uid, tmo, inode, ref, pointer, drops;
    in >> slot >> local >> remote >> st >> queues >> timer >> retrnsmt >> uid >> tmo >> inode >> ref >> pointer >>
        drops;
    const auto colon = local.find(':');
    if (colon == std::string::npos || std::stoi(local.substr(colon + 1), nullptr, 16) != port) continue;
    state.found = true;
    state.drops += std::stoul(drops.empty() ? "0" : drops);
    state.rx_queue += std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16);
  }
}

QueueState read_queue(int port) {
  QueueState state;
  read_queue("/proc/net/udp", port, state);
  read_queue("/proc/net/udp6", port, state);
  return state;
}

}  // namespace

int main(int argc, char** argv) {
  const sesame::bench::BenchArgs args(argc, argv, "--port P [--timeout-ms 60000] [--poll-us 500] [--cpu C]");
  const int port = int(args.number("port", 62201));
  const auto timeout = std::chrono::milliseconds(args.number("timeout-ms", 60000));
  const auto poll = std::chrono::microseconds(args.number("poll-us", 500));
  sesame::bench::pin_to_cpu(int(args.number("cpu", -1)));
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const QueueState state = read_queue(port);
    if (!state.found) return std::fprintf(stderr, "udp_queue_watch: no UDP socket on port %d\n", port), 1;
    if (state.rx_queue == 0) {
      std::printf("drained_ns=%lld drops=%lu\n", sesame::bench::realtime_ns(), state.drops);
      return 0;
    }
    if (std::chrono::steady_clock::now() - start > timeout) {
      std::printf("timeout rx_queue=%lu drops=%lu\n", state.rx_queue, state.drops);
      return 1;
    }
    std::this_thread::sleep_for(poll);
  }
}
