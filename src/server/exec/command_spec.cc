// SPDX-License-Identifier: GPL-2.0-or-later
// CommandSpec construction for command messages and CMD_CYCLE commands (server.md §5, §6).
#include "server/exec/command_spec.h"

#include <utility>

namespace sesame::server::exec {
namespace {

// The C locale's isspace(), which fwknop's strtoargv() splits on, without depending on the process locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

Result<std::vector<std::string>, std::string> split_command(std::string_view command) {
  if (command.find('\0') != std::string_view::npos) return fail(std::string("command contains a NUL byte"));
  std::vector<std::string> argv;
  std::size_t i = 0;
  while (i < command.size()) {
    while (i < command.size() && is_space(command[i])) ++i;
    if (i == command.size()) break;
    std::size_t end = i;
    while (end < command.size() && !is_space(command[end])) ++end;
    if (argv.size() == kMaxCommandArgs)
      return fail("command has more than " + std::to_string(kMaxCommandArgs) + " words");
    // No length limit per word: fwknop copies each word into a 1024-byte stack buffer unchecked.
    argv.emplace_back(command.substr(i, end - i));
    i = end;
  }
  if (argv.empty()) return fail(std::string("command is empty"));
  return argv;
}

Result<CommandSpec, std::string> command_message_spec(const config::AccessStanza& stanza, std::string_view command,
                                                      const std::string& sudo_exe) {
  // The pipeline checks this too; checked again here because this is where a command gets its privileges.
  if (!stanza.enable_cmd_exec)
    return fail(std::string("SPA Command messages are not allowed in the current configuration."));

  CommandSpec spec;
  if (stanza.enable_cmd_sudo_exec) {
    // Built as one line and split as a whole, as fwknopd does, so argv and the 30-word limit come out the same.
    spec.display = sudo_exe;
    // fwknopd leaves out -u for any name starting with "root" in any case ("rootkit", "ROOT"), which runs such a
    // user's commands as root; only the name "root" itself is left out here (sudo's default is root anyway).
    if (stanza.cmd_sudo_exec_user && stanza.cmd_sudo_exec_user->name != "root")
      spec.display += " -u " + stanza.cmd_sudo_exec_user->name;
    // fwknopd adds -g only when CMD_EXEC_GROUP (not CMD_SUDO_EXEC_GROUP) is set, and then reads
    // CMD_SUDO_EXEC_GROUP even when it is unset (a NULL dereference). Here CMD_SUDO_EXEC_GROUP alone decides.
    if (stanza.cmd_sudo_exec_group && stanza.cmd_sudo_exec_group->name != "root")
      spec.display += " -g " + stanza.cmd_sudo_exec_group->name;
    spec.display += ' ';
    spec.display += command;
  } else {
    spec.display = std::string(command);
  }
  // No silent truncation: fwknopd cuts the sudo line at 1400 bytes (MAX_SPA_CMD_LEN) and runs what is left.

  auto argv = split_command(spec.display);
  if (!argv) return fail(argv.error());
  spec.argv = std::move(*argv);

  // fwknopd switches user only when CMD_EXEC_USER does not start with "root" (any case): a user "rootbeer" with
  // uid 1005 runs as root there. Here the resolved uid decides: only uid 0 runs as the daemon's user.
  if (stanza.cmd_exec_user && !stanza.cmd_exec_uid)  // the loader resolves it; never fall back to root
    return fail("CMD_EXEC_USER " + stanza.cmd_exec_user->name + " has no resolved uid");
  if (stanza.cmd_exec_user && *stanza.cmd_exec_uid != 0) {
    spec.uid = stanza.cmd_exec_uid;
    spec.gid = stanza.cmd_exec_gid;
    // No timeout, as in server.md §5: such commands may legitimately run long; the runner's bound on concurrent
    // processes keeps them from piling up.
  } else {
    spec.timeout = kDaemonUserCommandTimeout;
  }
  return spec;
}

Result<CommandSpec, std::string> cycle_command_spec(std::string_view expanded) {
  auto argv = split_command(expanded);
  if (!argv) return fail(argv.error());
  CommandSpec spec;
  spec.argv = std::move(*argv);
  spec.display = std::string(expanded);
  return spec;
}

}  // namespace sesame::server::exec
