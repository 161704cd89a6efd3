// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's firewall: none in test mode (-t changes nothing), else the backend the config picks, started.
// Also --fw-list, --fw-list-all and --fw-flush.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "config/server_config.h"
#include "server/daemon/server_command_line.h"
#include "server/firewall/firewall_backend.h"

namespace sesame::server::daemon {

// Null in test mode. Otherwise the started backend, or why there is none (the daemon then refuses to start).
Result<std::unique_ptr<firewall::FirewallBackend>, std::string> make_daemon_firewall(const config::ServerConfig& server,
                                                                                     bool test_mode,
                                                                                     std::int64_t now_s);

// --fw-list, --fw-list-all, --fw-flush: prints to stdout, returns the exit status.
int run_firewall_action(ServerAction action, const config::ServerConfig& server);

}  // namespace sesame::server::daemon
