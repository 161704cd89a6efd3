// SPDX-License-Identifier: GPL-2.0-or-later
// KnockRunner: runs the real client, `sesame -n STANZA --rc-file FILE --no-save-args`, once per knock, without
// waiting for it: the watch loop goes on while the client resolves, derives keys and sends. Children are reaped
// when SIGCHLD says so and killed when they overrun the knock timeout.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "launcher/tcp_destination.h"

namespace sesame::launcher {

using Clock = std::chrono::steady_clock;

struct Knock {
  pid_t pid = -1;
  std::string stanza;
  TcpDestination destination;  // the attempt that started it
  Clock::time_point started{};
  int joined = 0;  // later attempts to the same stanza that arrived while it ran and count as knocked for
};

struct FinishedKnock {
  Knock knock;
  int wait_status = 0;
  bool timed_out = false;
  Clock::duration took{};
};

class KnockRunner {
 public:
  KnockRunner(std::string client_path, std::string rc_file, std::chrono::milliseconds timeout);
  KnockRunner(const KnockRunner&) = delete;
  KnockRunner& operator=(const KnockRunner&) = delete;
  ~KnockRunner();  // kills and reaps what still runs

  // Spawns the client for `stanza` (stdin and stdout /dev/null, stderr shared so its one-line error shows, an
  // empty signal mask). The error is posix_spawn's.
  Result<Ok, std::string> start(const std::string& stanza, const TcpDestination& destination);

  // The knock running for `stanza`, or nullptr.
  Knock* running(std::string_view stanza);
  std::size_t running_count() const { return knocks_.size(); }

  // Kills the knocks older than the timeout (SIGKILL), then collects every child that has ended.
  std::vector<FinishedKnock> reap(Clock::time_point now);

  // Waits up to `grace` for the running knocks, then kills the rest; returns them all (for shutdown).
  std::vector<FinishedKnock> finish(std::chrono::milliseconds grace);

 private:
  std::string client_path_;
  std::string rc_file_;
  std::chrono::milliseconds timeout_;
  std::vector<Knock> knocks_;
  std::vector<pid_t> timed_out_;
};

// "ok", "sesame exited 1", "sesame was killed by signal 9", "timed out, killed".
std::string describe(const FinishedKnock& finished);

}  // namespace sesame::launcher
