// SPDX-License-Identifier: GPL-2.0-or-later
// sesamed: the SPA server, a drop-in for fwknop 2.6.10's `fwknopd`.
#include <sys/prctl.h>

#include <csignal>
#include <string>
#include <vector>

#include "server/daemon/server_app.h"

int main(int argc, char** argv) {
  // Firewall tools fed on stdin may exit early (a bad line); that is their exit code to report, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  // The stanza keys are in this process's memory: no core dump of it, and no ptrace by other users' processes.
  // Not in sanitizer builds: LeakSanitizer stops the process with ptrace at exit, which this would forbid when
  // sesamed runs without CAP_SYS_PTRACE (the tests that start it as nobody).
#if !defined(__SANITIZE_ADDRESS__)
  ::prctl(PR_SET_DUMPABLE, 0);
#endif
  const std::vector<std::string> args(argv, argv + argc);
  return sesame::server::daemon::run_server(args);
}
