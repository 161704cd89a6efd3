// SPDX-License-Identifier: GPL-2.0-or-later
// SynSentSocket: one outgoing TCP connection attempt the kernel reports in SYN_SENT.
#pragma once

#include <cstdint>

#include "launcher/tcp_destination.h"

namespace sesame::launcher {

struct SynSentSocket {
  // The kernel's socket cookie (inet_diag_msg.idiag_cookie): a 64-bit counter value given once per socket and
  // never reused while the machine runs, so it names one connect() attempt. SYN retransmissions keep it; a
  // program that retries with a new socket gets a new one.
  std::uint64_t cookie = 0;
  TcpDestination destination;

  friend bool operator==(const SynSentSocket&, const SynSentSocket&) = default;
};

}  // namespace sesame::launcher
