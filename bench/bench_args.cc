// SPDX-License-Identifier: GPL-2.0-or-later
// BenchArgs: the `--name value` options of the small benchmark tools, and pinning to one core.
#include "bench_args.h"

#include <sched.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace sesame::bench {

BenchArgs::BenchArgs(int argc, char** argv, const char* usage) {
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s %s\n", argv[0], usage);
      std::exit(2);
    }
    values_[name.substr(2)] = argv[i + 1];
  }
}

std::string BenchArgs::text(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

long long BenchArgs::number(const std::string& name, long long fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : std::atoll(it->second.c_str());
}

void pin_to_cpu(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    std::perror("sched_setaffinity");
    std::exit(2);
  }
}

long long realtime_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return now.tv_sec * 1000000000LL + now.tv_nsec;
}

}  // namespace sesame::bench
