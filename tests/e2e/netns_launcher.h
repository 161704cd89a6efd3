// SPDX-License-Identifier: GPL-2.0-or-later
// sesame-launcher running inside a network namespace (`ip netns exec NS sesame-launcher ...`), for the end-to-end
// tests: started, stopped by its pid, its output in a log file.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "e2e/netns_process.h"

namespace sesame::test {

class NetnsLauncher : public NetnsProcess {
 public:
  // Runs `ip netns exec ns SESAME_LAUNCHER args...` with HOME=home, stdout and stderr in `log_path` (truncated),
  // and waits up to `timeout` for its "ready" line. Throws std::runtime_error, with the log, when it exits first
  // or does not get there in time.
  NetnsLauncher(const std::string& ns, const std::vector<std::string>& args, const std::string& home,
                std::string log_path, std::chrono::milliseconds timeout = std::chrono::seconds(10));
};

}  // namespace sesame::test
