// SPDX-License-Identifier: GPL-2.0-or-later
// A program the end-to-end tests run inside a network namespace (`ip netns exec NS program ...`, which execs the
// program itself, so the pid is the program's): stdin /dev/null, stdout and stderr in a log file, started until a
// ready line shows in the log, signalled and reaped by its pid. NetnsSesamed and NetnsLauncher are two of them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sesame::test {

class NetnsProcess {
 public:
  // Runs `ip netns exec ns command...` with exactly `env`, and waits up to `timeout` for `ready_marker` in the log
  // (`log_path`, truncated). Throws std::runtime_error, with the log, when it exits first or does not get there in
  // time. `name` starts those messages.
  NetnsProcess(std::string name, const std::string& ns, const std::vector<std::string>& command,
               const std::vector<std::string>& env, std::string log_path, const std::string& ready_marker,
               std::chrono::milliseconds timeout);
  ~NetnsProcess();  // SIGKILL if it still runs; always reaped
  NetnsProcess(const NetnsProcess&) = delete;
  NetnsProcess& operator=(const NetnsProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool is_running() const { return pid_ > 0; }
  std::string log() const;
  // The log's lines that start with `prefix`.
  std::vector<std::string> lines_starting(const std::string& prefix) const;
  // Polls the log until it holds `text`; false after `timeout`.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const;

  // SIGKILL and reap: the program gets no chance to clean up, as in a crash.
  void kill_hard();
  // `signal` and wait up to `timeout`: its wait status, or nullopt when it was still running (then SIGKILLed).
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout);

 private:
  std::string name_;
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace sesame::test
