// SPDX-License-Identifier: GPL-2.0-or-later
// SignalFd: SIGTERM, SIGINT, SIGHUP and SIGUSR1 blocked and read as events from a signalfd in the daemon's epoll
// set, so that no handler races the loop (style.md, "The daemon loop"). SIGPIPE is ignored.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace sesame::server::daemon {

class SignalFd {
 public:
  static Result<SignalFd, std::string> open();
  int fd() const { return fd_.get(); }
  // The next pending signal number, or nullopt when none is pending.
  std::optional<int> next();

 private:
  explicit SignalFd(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace sesame::server::daemon
