// SPDX-License-Identifier: GPL-2.0-or-later
// sesame-launcher running inside a network namespace (`ip netns exec NS sesame-launcher ...`), for the end-to-end
// tests: started, stopped by its pid, its output in a log file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sesame::test {

class NetnsLauncher {
 public:
  // Runs `ip netns exec ns SESAME_LAUNCHER args...` with HOME=home, stdout and stderr in `log_path` (truncated),
  // and waits up to `timeout` for its "ready" line. Throws std::runtime_error, with the log, when it exits first
  // or does not get there in time.
  NetnsLauncher(const std::string& ns, const std::vector<std::string>& args, const std::string& home,
                std::string log_path, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~NetnsLauncher();  // SIGKILL if it still runs; always reaped
  NetnsLauncher(const NetnsLauncher&) = delete;
  NetnsLauncher& operator=(const NetnsLauncher&) = delete;

  std::string log() const;
  // The log's lines that start with `prefix`.
  std::vector<std::string> lines_starting(const std::string& prefix) const;
  // Polls the log until it holds `text`; false after `timeout`.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const;
  // `signal` and wait up to `timeout`: the wait status, or nullopt when it still ran (then SIGKILLed).
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout);

 private:
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace sesame::test
