// SPDX-License-Identifier: GPL-2.0-or-later
// CommandSpec: what to run for a command message or a CMD_CYCLE command (server.md §5, §6), built without I/O.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/access_stanza.h"

namespace sesame::server::exec {

// fwknop's MAX_CMDLINE_ARGS. fwknop's own strtoargv() actually gives up after 28 words; the spec allows 30 and so
// does this (a command fwknopd refuses can run here, none the other way round).
inline constexpr std::size_t kMaxCommandArgs = 30;
// Command messages run as the daemon's user get this long (server.md §5) before they are killed.
inline constexpr std::chrono::milliseconds kDaemonUserCommandTimeout{5000};

struct CommandSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'; never a shell
  std::optional<uid_t> uid;       // setuid() to this in the child (with setgroups() and setgid() first)
  std::optional<gid_t> gid;
  std::optional<std::chrono::milliseconds> timeout;  // unset: runs until it exits
  std::string display;                               // the command line as fwknopd logs it
};

// Splits on whitespace (isspace: no quoting, no shell, no redirection), as fwknop's strtoargv(). Fails on an
// empty command, more than kMaxCommandArgs words, or a NUL byte (execve would cut the word short silently).
Result<std::vector<std::string>, std::string> split_command(std::string_view command);

// A command message (server.md §5): `command` is the text after "IP,". Refused unless the stanza has
// ENABLE_CMD_EXEC; with ENABLE_CMD_SUDO_EXEC it is prefixed with `sudo_exe [-u user] [-g group]`.
Result<CommandSpec, std::string> command_message_spec(const config::AccessStanza& stanza, std::string_view command,
                                                      const std::string& sudo_exe);

// An expanded CMD_CYCLE_OPEN or CMD_CYCLE_CLOSE command (server.md §6): run as the daemon's user, no timeout,
// as fwknopd runs them.
Result<CommandSpec, std::string> cycle_command_spec(std::string_view expanded);

}  // namespace sesame::server::exec
