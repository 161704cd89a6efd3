// SPDX-License-Identifier: GPL-2.0-or-later
// CommandDispatcher: fwknopd's log lines for commands, over the exec/ building blocks.
#include "server/daemon/command_dispatcher.h"

#include <thread>

#include "server/exec/command_spec.h"
#include "server/exec/cycle_command.h"

namespace sesame::server::daemon {
namespace {

std::string request_tag(const AccessRequest& request) {
  return "[" + request.allow_ip.to_string() + "] (stanza #" + std::to_string(request.stanza_index + 1) + ")";
}

}  // namespace

void CommandDispatcher::spawn(const exec::CommandSpec& spec, const std::string& tag) {
  auto started = runner_.spawn(spec, tag);
  if (!started)
    reporter_->logger().message(LogLevel::kError, tag + " Could not run '" + spec.display + "': " + started.error());
  else
    reporter_->logger().message(LogLevel::kInfo, tag + " Running command '" + spec.display + "'");
}

void CommandDispatcher::run_command_message(const AccessRequest& request, const config::AccessStanza& stanza,
                                            bool test_mode) {
  const std::string& command = *request.command;
  reporter_->command(request, command, test_mode);
  if (test_mode) return;
  auto spec = exec::command_message_spec(stanza, command, sudo_exe_);
  if (!spec) {
    reporter_->logger().message(LogLevel::kError, request_tag(request) + " " + spec.error());
    return;
  }
  spawn(*spec, request_tag(request));
}

void CommandDispatcher::run_cycle(const AccessRequest& request, const config::AccessStanza& stanza, bool test_mode,
                                  std::int64_t now_s) {
  const std::string tag = request_tag(request);
  auto values = exec::cycle_values(request, stanza, request.client_timeout);
  if (!values) {
    reporter_->logger().message(LogLevel::kError, tag + " CMD_CYCLE: " + values.error());
    return;
  }
  auto open = exec::expand_cycle_command(*stanza.cmd_cycle_open, *values);
  if (!open) {
    reporter_->logger().message(LogLevel::kError, tag + " CMD_CYCLE_OPEN: " + open.error());
    return;
  }
  std::optional<std::string> close;
  if (stanza.cmd_cycle_do_close && stanza.cmd_cycle_close) {
    auto expanded = exec::expand_cycle_command(*stanza.cmd_cycle_close, *values);
    if (!expanded) {
      reporter_->logger().message(LogLevel::kError, tag + " CMD_CYCLE_CLOSE: " + expanded.error());
      return;
    }
    close = std::move(*expanded);
  }
  reporter_->cycle(request, *open, test_mode);
  if (test_mode) return;  // fwknopd runs CMD_CYCLE_OPEN even with --test; sesamed changes nothing (docs/compat.md)
  auto open_spec = exec::cycle_command_spec(*open);
  if (!open_spec) {
    reporter_->logger().message(LogLevel::kError, tag + " CMD_CYCLE_OPEN: " + open_spec.error());
    return;
  }
  std::optional<exec::CommandSpec> close_spec;
  if (close) {
    auto spec = exec::cycle_command_spec(*close);
    if (!spec) {
      reporter_->logger().message(LogLevel::kError, tag + " CMD_CYCLE_CLOSE: " + spec.error());
      return;
    }
    if (schedule_.is_full()) {
      reporter_->logger().message(LogLevel::kError, tag + " CMD_CYCLE: too many pending close commands; not opening");
      return;
    }
    close_spec = std::move(*spec);
  }
  reporter_->logger().message(LogLevel::kInfo, tag + " Running CMD_CYCLE_OPEN command: " + *open);
  spawn(*open_spec, tag);
  if (close_spec) {
    const std::int64_t delay = values->client_timeout;
    reporter_->logger().message(
        LogLevel::kInfo, tag + " Running CMD_CYCLE_CLOSE command in " + std::to_string(delay) + " seconds: " + *close);
    // The knock came somewhere inside second now_s: closing at the start of now_s + delay could cut the cycle up
    // to a second short, so it closes at the end of that second instead (never early, at most a second late).
    [[maybe_unused]] auto added = schedule_.add(now_s + delay + 1, tag, std::move(*close_spec));
  }
}

void CommandDispatcher::tick(std::int64_t now_s) {
  for (auto& due : schedule_.take_due(now_s)) {
    reporter_->logger().message(LogLevel::kInfo,
                                due.tag + " Timer expired, running CMD_CYCLE_CLOSE command: " + due.command.display);
    spawn(due.command, due.tag);
  }
  for (const auto& finished : runner_.collect(exec::ProcessRunner::Clock::now())) {
    const bool ok = finished.exit_code == 0;
    std::string text = finished.tag + " CMD_EXEC: command '" + finished.display + "' ";
    if (finished.timed_out)
      text += "timed out and was killed";
    else if (finished.exit_code)
      text += "returned " + std::to_string(*finished.exit_code);
    else if (finished.term_signal)
      text += "was ended by signal " + std::to_string(*finished.term_signal);
    text += ", pid_status: " + std::to_string(finished.wait_status);
    reporter_->logger().message(ok ? LogLevel::kInfo : LogLevel::kError, text);
    if (!finished.output.empty())
      reporter_->logger().message(LogLevel::kInfo, finished.tag + " CMD_EXEC output: " + finished.output);
  }
}

void CommandDispatcher::close_all_cycles() {
  for (auto& pending : schedule_.take_all()) {
    reporter_->logger().message(LogLevel::kInfo,
                                pending.tag + " Exiting: running CMD_CYCLE_CLOSE command: " + pending.command.display);
    spawn(pending.command, pending.tag);
  }
  // Shutdown may wait: give them (and any command still running) a few seconds before the runner kills them.
  const auto give_up = exec::ProcessRunner::Clock::now() + std::chrono::seconds(5);
  while (runner_.running() > 0 && exec::ProcessRunner::Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    tick(0);
  }
}

}  // namespace sesame::server::daemon
