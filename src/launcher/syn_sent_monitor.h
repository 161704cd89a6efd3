// SPDX-License-Identifier: GPL-2.0-or-later
// SynSentMonitor: asks the kernel, over one NETLINK_SOCK_DIAG socket, for every TCP socket in SYN_SENT (IPv4 and
// IPv6) in this network namespace. There is no netlink multicast event for a socket entering SYN_SENT (sock_diag
// broadcasts only socket destruction), so the launcher calls snapshot() on a timer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "launcher/syn_sent_socket.h"

namespace sesame::launcher {

class SynSentMonitor {
 public:
  // Opens the netlink socket. Needs no privileges: any user may list the sockets of its network namespace.
  static Result<SynSentMonitor, std::string> open();

  // Every socket in SYN_SENT now, both families (two dumps). The error names the step and errno.
  Result<std::vector<SynSentSocket>, std::string> snapshot();

 private:
  struct DumpError {
    const char* step;
    int error;  // errno
  };
  explicit SynSentMonitor(UniqueFd fd) : fd_(std::move(fd)) {}
  Result<Ok, DumpError> dump(int family, std::vector<SynSentSocket>& out);

  UniqueFd fd_;
  std::uint32_t sequence_ = 0;
  std::vector<std::uint8_t> buffer_;  // one receive buffer, allocated once
};

}  // namespace sesame::launcher
