// SPDX-License-Identifier: GPL-2.0-or-later
// GrantChannel: the packet side's end of the socketpair to the privileged parent (PRIVILEGE_SEPARATION). It only
// sends: readiness once, then one GrantMessage per accepted request.
#pragma once

#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/access_request.h"

namespace sesame::server::daemon {

class GrantChannel {
 public:
  explicit GrantChannel(UniqueFd fd) : fd_(std::move(fd)) {}

  Result<Ok, std::string> send_ready();
  // Blocks while the parent's receive queue is full: the parent is the only way out for a grant, and a parent that
  // stopped reading is a fault the daemon cannot route around.
  Result<Ok, std::string> send(const AccessRequest& request);

  int fd() const { return fd_.get(); }

 private:
  Result<Ok, std::string> send_bytes(const std::vector<std::uint8_t>& bytes);

  UniqueFd fd_;
};

}  // namespace sesame::server::daemon
