// SPDX-License-Identifier: GPL-2.0-or-later
// run_server: sesamed from its command line to its exit status. Start-up follows fwknopd's passes: -V and key
// generation first (no config read), then the config files, then the other options over them, then the action.
#pragma once

#include <string>
#include <vector>

namespace sesame::server::daemon {

int run_server(const std::vector<std::string>& args);

}  // namespace sesame::server::daemon
