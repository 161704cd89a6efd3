// SPDX-License-Identifier: GPL-2.0-or-later
// sesamed -D: the server config printed as fwknopd -D prints it (server.md §1), so scripts and eyes used to
// fwknopd's output read sesamed's unchanged.
#pragma once

#include <string>

#include "config/server_config.h"

namespace sesame::config {

// "Current fwknopd config settings:\n", then one "%3i. %-28s =  '%s'\n" line per variable of
// server_variable_names() ("<not set>" for an unset one), then an empty line. The first 55 lines are those of
// Debian's fwknopd 2.6.10, numbered alike; then the variables that build lacks (other firewalls, NFQ,
// ALLOW_ANY_USER_AGENT) and sesame's own (FIREWALL_TYPE, LOG_FORMAT, NFT_*).
std::string dump_server_config(const ServerConfig& config);

}  // namespace sesame::config
