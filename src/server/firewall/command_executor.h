// SPDX-License-Identifier: GPL-2.0-or-later
// CommandExecutor: how the command-driven firewall backends (iptables, firewalld, ipfw, pf) run their tools. The
// daemon uses ProcessExecutor (fork/exec, no shell, a deadline); the command-generation tests use a recorder, so
// the exact command lines of backends that cannot run on Linux are checked against fwknopd's.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sesame::server::firewall {

struct CommandOutcome {
  int exit_code = -1;  // -1 when a signal or the deadline ended it
  std::string output;  // stdout and stderr, interleaved

  bool succeeded() const { return exit_code == 0; }
};

class CommandExecutor {
 public:
  virtual ~CommandExecutor() = default;
  // Runs argv (argv[0] an absolute path, or a name looked up in /usr/sbin:/usr/bin:/sbin:/bin) with `input` on
  // its standard input and waits for it. An error only when it could not be started; a non-zero exit is an
  // outcome the caller judges.
  virtual Result<CommandOutcome, std::string> run(const std::vector<std::string>& argv,
                                                  std::string_view input = {}) = 0;
};

// The real one: fork/execve without a shell, an environment of PATH and LC_ALL=C only (the listings are parsed),
// stdout+stderr through one pipe, killed after `timeout`. Blocks the caller: firewall changes are made between
// receive bursts, never inside one.
class ProcessExecutor final : public CommandExecutor {
 public:
  explicit ProcessExecutor(std::chrono::milliseconds timeout = std::chrono::seconds(10)) : timeout_(timeout) {}
  Result<CommandOutcome, std::string> run(const std::vector<std::string>& argv, std::string_view input = {}) override;

 private:
  std::chrono::milliseconds timeout_;
};

// "argv[0] argv[1] ...": how a command is shown in logs and errors.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace sesame::server::firewall
