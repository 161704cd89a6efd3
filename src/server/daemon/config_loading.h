// SPDX-License-Identifier: GPL-2.0-or-later
// Loading fwknopd.conf (with the command line over it) and access.conf into a Policy: at start, and on SIGHUP.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/daemon/policy.h"
#include "server/daemon/server_command_line.h"

namespace sesame::server::daemon {

struct LoadedPolicy {
  std::unique_ptr<Policy> policy;
  std::vector<std::string> warnings;  // "file:line: ..." lines to log
};

// The server config alone (for -K, -R, -S, which need only the pid file).
Result<config::ServerConfig, std::vector<std::string>> load_server_settings(const ServerCommandLine& line,
                                                                            std::vector<std::string>& warnings);

// Both configs; every error names file:line (or the option). Nothing is built unless all of it is valid.
Result<LoadedPolicy, std::vector<std::string>> load_policy(const ServerCommandLine& line);

}  // namespace sesame::server::daemon
