// SPDX-License-Identifier: GPL-2.0-or-later
// The `sesame` command line: fwknop 2.6.10's options, short and long names alike, parsed by CLI11.
#pragma once

#include <string>
#include <vector>

#include "client/client_error.h"
#include "client/client_invocation.h"

namespace sesame::client {

// A request for help or the version is not an error: `exit_now` carries the text to print and status 0.
struct HelpRequest {
  std::string text;
};

struct ParsedCommandLine {
  ClientInvocation invocation;
  std::optional<HelpRequest> help;
};

// args[0] is the program name. Values are checked here (ports, digest names, modes, ...) with fwknop's limits;
// combinations are checked later, once the rc file is merged in (client.md §2, end).
Result<ParsedCommandLine> parse_command_line(const std::vector<std::string>& args);

}  // namespace sesame::client
