// SPDX-License-Identifier: GPL-2.0-or-later
// nft_open_bench: the nftables backend alone, the firewall-side ceiling of sesamed's grants/s: NftBackend::open
// with N new grants in one call (one burst, one transaction), in a private network namespace of its own.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "bench_args.h"
#include "server/firewall/nft_backend.h"

namespace {

using namespace sesame;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "[--grants N,N,... (default 1,100,1000,10000,100000)] [--rounds R (default 3)] [--cpu C]: root; runs in a "
    "private network namespace it creates (unshare), so the host's ruleset is never touched";

std::vector<std::size_t> parse_sizes(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find(',', at), text.size());
    sizes.push_back(std::stoul(text.substr(at, end - at)));
    at = end + 1;
  }
  return sizes;
}

// `count` distinct IPv4 sources from 10.0.0.0/8 onwards, starting at `first`: every grant a new set element.
std::vector<server::AccessRequest> make_requests(std::size_t first, std::size_t count) {
  std::vector<server::AccessRequest> requests(count);
  for (std::size_t i = 0; i < count; ++i) {
    requests[i].allow_ip = config::IpAddress::ipv4(0x0A000000u + static_cast<std::uint32_t>(first + i + 1));
    requests[i].ports = {config::ProtoPort{config::Protocol::kTcp, 22222}};
    requests[i].timeout = std::chrono::seconds(600);
  }
  return requests;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::BenchArgs args(argc, argv, kUsage);
  const auto sizes = parse_sizes(args.text("grants", "1,100,1000,10000,100000"));
  const auto rounds = static_cast<int>(args.number("rounds", 3));
  bench::pin_to_cpu(static_cast<int>(args.number("cpu", -1)));
  if (::unshare(CLONE_NEWNET) != 0) return std::perror("nft_open_bench: unshare(CLONE_NEWNET) (needs root)"), 1;

  server::firewall::NftSettings settings;
  settings.table = "sesame_bench";
  auto backend = server::firewall::NftBackend::create(settings);
  if (!backend) return std::fprintf(stderr, "nft_open_bench: %s\n", backend.error().message.c_str()), 1;
  const auto now_s = static_cast<std::int64_t>(std::time(nullptr));
  if (auto started = (*backend)->start(now_s); !started)
    return std::fprintf(stderr, "nft_open_bench: start: %s\n", started.error().message.c_str()), 1;

  config::AccessStanza stanza;
  std::size_t next_source = 0;
  std::printf("%-10s %12s %14s %s\n", "grants", "ms/call", "grants/s", "(best of rounds; every grant a new element)");
  for (const std::size_t size : sizes) {
    double best_s = 1e30;
    for (int round = 0; round < rounds; ++round) {
      const auto requests = make_requests(next_source, size);
      next_source += size;
      std::vector<server::firewall::GrantRequest> grants;
      grants.reserve(size);
      for (const auto& request : requests) grants.push_back({&request, &stanza});
      const auto start = Clock::now();
      if (auto opened = (*backend)->open(grants, now_s); !opened)
        return std::fprintf(stderr, "nft_open_bench: open: %s\n", opened.error().message.c_str()), 1;
      best_s = std::min(best_s, std::chrono::duration<double>(Clock::now() - start).count());
    }
    std::printf("%-10zu %12.3f %14.0f\n", size, best_s * 1e3, double(size) / best_s);
    std::fflush(stdout);
  }
  std::printf("set elements at the end: %zu\n", (*backend)->tracked_count());
  return 0;
}
