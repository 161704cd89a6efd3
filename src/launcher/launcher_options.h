// SPDX-License-Identifier: GPL-2.0-or-later
// sesame-launcher's command line.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sesame::launcher {

struct LauncherOptions {
  std::vector<std::string> stanzas;                // -n, repeated; empty: every stanza with SPA_SERVER and tcp ACCESS
  std::optional<std::string> rc_file;              // --rc-file; else the client's lookup (~/.sesamerc, ~/.fwknoprc)
  std::optional<std::string> client_path;          // --client; else `sesame` beside this program
  std::chrono::milliseconds interval{250};         // --interval: how often the kernel is asked for SYN_SENT sockets
  std::chrono::milliseconds knock_timeout{30000};  // --knock-timeout (seconds on the command line)
  bool check_only = false;                         // --check: print the watch list and exit
};

// Parses argv. Returns the options, or the exit status to leave with after --help/--version (0) or a usage
// error (2, one line on stderr).
struct ParsedOptions {
  std::optional<LauncherOptions> options;
  int exit_status = 0;
};
ParsedOptions parse_launcher_options(int argc, char** argv);

}  // namespace sesame::launcher
