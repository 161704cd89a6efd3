// SPDX-License-Identifier: GPL-2.0-or-later
// CommandDispatcher: command messages (ENABLE_CMD_EXEC) and CMD_CYCLE_OPEN/CLOSE for the daemon loop. Commands run
// as child processes through exec/ProcessRunner, so the packet path never waits for one; their results are logged
// when they end.
#pragma once

#include <cstdint>
#include <optional>

#include "config/access_stanza.h"
#include "server/access_request.h"
#include "server/daemon/event_reporter.h"
#include "server/exec/cycle_schedule.h"
#include "server/exec/process_runner.h"

namespace sesame::server::daemon {

class CommandDispatcher {
 public:
  CommandDispatcher(EventReporter& reporter, exec::ProcessRunner runner, std::string sudo_exe)
      : reporter_(&reporter), runner_(std::move(runner)), sudo_exe_(std::move(sudo_exe)) {}

  // A command message: runs it as the stanza says (sudo, user, group), or in test mode only logs it.
  void run_command_message(const AccessRequest& request, const config::AccessStanza& stanza, bool test_mode);
  // CMD_CYCLE_OPEN now and CMD_CYCLE_CLOSE queued for later; in test mode both are only logged.
  void run_cycle(const AccessRequest& request, const config::AccessStanza& stanza, bool test_mode, std::int64_t now_s);
  // Due CMD_CYCLE_CLOSE commands, and the results of finished processes.
  void tick(std::int64_t now_s);
  // Runs every queued close command at shutdown, so that nothing a cycle opened stays open.
  void close_all_cycles();

  int fd() const { return runner_.fd(); }
  std::optional<std::int64_t> next_due_s() const { return schedule_.next_due_s(); }

 private:
  void spawn(const exec::CommandSpec& spec, const std::string& tag);

  EventReporter* reporter_;
  exec::ProcessRunner runner_;
  exec::CycleSchedule schedule_;
  std::string sudo_exe_;
};

}  // namespace sesame::server::daemon
