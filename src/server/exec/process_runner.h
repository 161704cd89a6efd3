// SPDX-License-Identifier: GPL-2.0-or-later
// ProcessRunner: runs CommandSpecs as child processes without ever blocking the daemon's loop; one pollable fd
// tells the loop when a child wrote output or ended.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/exec/command_spec.h"

namespace sesame::server::exec {

struct FinishedProcess {
  std::string tag;      // as given to spawn()
  std::string display;  // CommandSpec::display
  pid_t pid = 0;
  int wait_status = 0;             // raw, as fwknopd logs "pid_status"
  std::optional<int> exit_code;    // set when it exited (127: could not be executed, 126: could not switch user)
  std::optional<int> term_signal;  // set when a signal ended it
  bool timed_out = false;          // killed by the runner at its CommandSpec::timeout
  std::string output;              // stdout and stderr interleaved, at most the runner's output cap
  bool is_output_truncated = false;
};

class ProcessRunner {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kDefaultMaxProcesses = 32;
  static constexpr std::size_t kDefaultOutputCap = 64 * 1024;

  static Result<ProcessRunner, std::string> create(std::size_t max_processes = kDefaultMaxProcesses,
                                                   std::size_t output_cap = kDefaultOutputCap);

  ProcessRunner(ProcessRunner&&) noexcept = default;
  ProcessRunner& operator=(ProcessRunner&&) = delete;  // would drop the target's children unkilled
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;
  // SIGKILLs and reaps every child still running (by its pidfd and its own process group), nothing else.
  ~ProcessRunner();

  // Starts the command and returns at once with its pid. The child gets an empty environment, stdin from
  // /dev/null, stdout and stderr into one pipe, no other fd, "/" as working directory, default signal handling,
  // a session of its own, and the CommandSpec's gid (with no supplementary groups) and uid. Fails when
  // max_processes children are running or the system refuses a pipe, fork or pidfd.
  Result<pid_t, std::string> spawn(const CommandSpec& spec, std::string tag);

  // Readable (level-triggered) when collect() has something to do: put it in the daemon's epoll set.
  int fd() const { return epoll_.get(); }
  // When collect() must be called at the latest, to kill a child past its timeout; unset: no timeout pending.
  std::optional<Clock::time_point> next_deadline() const;

  // Reads available output, kills children past their deadline, and returns those that ended. Never blocks.
  std::vector<FinishedProcess> collect(Clock::time_point now);

  std::size_t running() const { return children_.size(); }

 private:
  struct Child {
    pid_t pid = 0;
    UniqueFd pidfd;
    UniqueFd output_fd;  // invalid once the pipe reached end of file
    std::optional<Clock::time_point> deadline;
    FinishedProcess result;
  };

  ProcessRunner(UniqueFd epoll, UniqueFd dev_null, std::size_t max_processes, std::size_t output_cap);
  void drain_output(Child& child);

  UniqueFd epoll_;
  UniqueFd dev_null_;
  std::size_t max_processes_;
  std::size_t output_cap_;
  std::vector<Child> children_;
};

}  // namespace sesame::server::exec
