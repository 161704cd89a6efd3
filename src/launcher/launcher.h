// SPDX-License-Identifier: GPL-2.0-or-later
// Launcher: the watch loop. One thread, poll() over a signalfd (SIGINT, SIGTERM, SIGCHLD) and a timerfd; on each
// tick, when the namespace's ActiveOpens count moved, one sock_diag snapshot, the watched sockets in it, the new
// attempts among those, one knock per attempt.
#pragma once

#include <chrono>
#include <ostream>
#include <vector>

#include "launcher/active_opens.h"
#include "launcher/attempt_tracker.h"
#include "launcher/knock_runner.h"
#include "launcher/syn_sent_monitor.h"
#include "launcher/watch_list.h"

namespace sesame::launcher {

class Launcher {
 public:
  // SIGINT, SIGTERM and SIGCHLD must already be blocked in every thread (block_launcher_signals), before any
  // child exists, so that none is lost between start and the signalfd.
  Launcher(WatchList watch_list, SynSentMonitor monitor, KnockRunner& runner, std::chrono::milliseconds interval,
           std::ostream& log);

  // Until SIGINT or SIGTERM; then waits briefly for running knocks. Returns the exit status: 0, or 1 when the
  // signalfd or timerfd cannot be set up (one line on `log`).
  int run();

 private:
  void scan();
  void report(const std::vector<FinishedKnock>& finished);

  WatchList watch_list_;
  SynSentMonitor monitor_;
  KnockRunner& runner_;
  std::chrono::milliseconds interval_;
  std::ostream& log_;
  ActiveOpens active_opens_;
  AttemptTracker tracker_;
  std::vector<SynSentSocket> watched_;  // reused between ticks
  bool is_failing_ = false;             // the last snapshot failed: its error was logged once
};

// Blocks SIGINT, SIGTERM and SIGCHLD for the calling thread (call from main before anything else).
void block_launcher_signals();

}  // namespace sesame::launcher
