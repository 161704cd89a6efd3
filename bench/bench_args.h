// SPDX-License-Identifier: GPL-2.0-or-later
// BenchArgs: the `--name value` options of the small benchmark tools, and pinning to one core.
#pragma once

#include <map>
#include <string>

namespace sesame::bench {

class BenchArgs {
 public:
  // Every argument must be `--name value`; anything else exits with a usage message naming `usage`.
  BenchArgs(int argc, char** argv, const char* usage);
  std::string text(const std::string& name, const std::string& fallback = "") const;
  long long number(const std::string& name, long long fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

// sched_setaffinity to one core (-1: leave as is); exits when the core does not exist.
void pin_to_cpu(int cpu);

// CLOCK_REALTIME in ns: comparable across the tools and `date +%s%N` in bench/run.
long long realtime_ns();

}  // namespace sesame::bench
