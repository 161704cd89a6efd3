// SPDX-License-Identifier: GPL-2.0-or-later
// Going into the background without -f: the parent waits until the child reports that capture is running (or why
// it failed), prints any failure on the terminal and exits with the child's verdict, so that `sesamed; echo $?`
// and init scripts see a real start-up result instead of fwknopd's unconditional 0.
#pragma once

#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace sesame::server::daemon {

class StartupReport {
 public:
  StartupReport() = default;  // foreground: reports go nowhere
  explicit StartupReport(UniqueFd fd) : fd_(std::move(fd)) {}
  void ready();
  void failed(const std::string& message);

 private:
  UniqueFd fd_;
};

// Forks. In the parent: waits for the child's report and returns the exit status for the parent (never the child).
// In the child: starts a new session, moves to "/", points stdin/stdout/stderr at /dev/null and returns the report
// channel. Returns an error when fork fails.
struct Detached {
  bool is_parent = false;
  int parent_exit_status = 0;
  StartupReport report;
};
Result<Detached, std::string> detach();

}  // namespace sesame::server::daemon
