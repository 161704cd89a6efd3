// SPDX-License-Identifier: GPL-2.0-or-later
// Runs the real fwknop 2.6.x client in --test mode and hands back the SPA packet it built.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace sesame::test {

struct FwknopClientRun {
  int exit_status = -1;  // -1 when the client did not exit normally (signal, timeout)
  std::string output;    // stdout and stderr, interleaved
  std::string packet;    // the -B file without the '\n' fwknop appends: the wire payload
  // The client's own field dump (client.md §7) of the packet it built, keyed by its labels: "Random Value",
  // "Username", "Timestamp", "Message Type", "Encoded Data", "SPA Data Digest", "HMAC", ... Values verbatim.
  std::map<std::string, std::string> fields;
};

// Runs `fwknop --no-rc-file --no-save-args -T -B FILE <args...>` with fork/exec (no shell), in a fresh empty
// HOME and a minimal environment (so no SPOOF_USER, LOGNAME or GPG_AGENT_INFO of the caller leaks in).
// Throws std::runtime_error when the client cannot be started or runs past `timeout`.
FwknopClientRun run_fwknop_client(const std::vector<std::string>& args,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(20));

// False (with a reason) when no fwknop 2.6.x client is installed. Set SESAME_FWKNOP to use another binary.
bool fwknop_client_available(std::string* why);

}  // namespace sesame::test
