// SPDX-License-Identifier: GPL-2.0-or-later
// The `sesame` client from command line to sent packet: rc file, key generation, checks, keys, -R, building,
// test mode, saving and sending. main() only calls run_client().
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sesame::client {

struct ClientStreams {
  std::ostream& out;
  std::ostream& err;
};

// Returns the exit status: 0 on success, 1 on any error (one line on `err`, as fwknop).
int run_client(const std::vector<std::string>& args, ClientStreams streams);

}  // namespace sesame::client
