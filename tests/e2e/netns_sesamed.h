// SPDX-License-Identifier: GPL-2.0-or-later
// sesamed running in the foreground inside a network namespace (`ip netns exec NS sesamed -f ...`), for the
// end-to-end tests: started, killed or stopped by its pid, its output in a log file.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "e2e/netns_process.h"

namespace sesame::test {

class NetnsSesamed : public NetnsProcess {
 public:
  // Runs `ip netns exec ns SESAMED -f args...` with stdout and stderr in `log_path` (truncated), and waits up to
  // `timeout` for its "Starting sesamed" line (printed once the firewall and the capture are set up). Throws
  // std::runtime_error, with the log, when it exits or does not get there in time. `wrapper` goes between
  // `ip netns exec ns` and SESAMED (e.g. `unshare --mount ... sh -c '...; exec "$@"'`); it must exec sesamed in
  // the end, so that pid() stays sesamed's.
  NetnsSesamed(const std::string& ns, const std::vector<std::string>& args, std::string log_path,
               std::chrono::milliseconds timeout = std::chrono::seconds(10),
               const std::vector<std::string>& wrapper = {});

  // SIGTERM and wait up to `timeout`: its wait status, or nullopt when it was still running (then SIGKILLed).
  std::optional<int> terminate(std::chrono::milliseconds timeout);
};

}  // namespace sesame::test
