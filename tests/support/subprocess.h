// SPDX-License-Identifier: GPL-2.0-or-later
// Runs another program for a test: fork/execve without a shell, stdout and stderr through one pipe, a deadline.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sesame::test {

struct ProcessOptions {
  std::optional<std::vector<std::string>> env{};  // the child's whole environment ("NAME=value"); nullopt: inherit
  std::optional<std::string> stdin_text{};        // the child's standard input; nullopt: /dev/null, never a terminal
  std::chrono::milliseconds timeout{10000};       // then the child's process group is SIGKILLed
};

struct ProcessResult {
  int exit_status = -1;  // the exit code; -1 when the child was killed by a signal or timed out
  int wait_status = 0;   // as waitpid reports it
  bool timed_out = false;
  std::string output;  // stdout and stderr, interleaved as the child wrote them

  bool succeeded() const { return exit_status == 0; }
};

// Runs argv[0] (a path, or a name looked up in PATH) with argv in its own process group. The child's exit ends the
// run, not the end of its output: a daemon it started (gpg-agent) may hold the pipe open. What the child wrote
// before exiting is read, then whatever is left in its process group is killed. Throws std::runtime_error when the
// program cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// The first of `candidates` that is executable, or "" when none is.
std::string find_executable(const std::vector<std::string>& candidates);

}  // namespace sesame::test
