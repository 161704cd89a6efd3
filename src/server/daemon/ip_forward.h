// SPDX-License-Identifier: GPL-2.0-or-later
// NAT forwarding needs the kernel to forward IPv4 packets: checked at start, and with ENABLE_PROC_IP_FORWARD
// turned on, so a NAT grant that cannot work is said at start instead of failing silently per knock.
#pragma once

#include <optional>
#include <string>

#include "config/server_config.h"

namespace sesame::server::daemon {

struct IpForwardNote {
  bool is_warning = false;
  std::string message;
};

// Nothing unless ENABLE_IPT_FORWARDING (or ENABLE_FIREWD_FORWARDING) is Y. Reads `proc_file` (the network
// namespace's net.ipv4.ip_forward); when it is 0, writes 1 with ENABLE_PROC_IP_FORWARD Y, else warns.
std::optional<IpForwardNote> prepare_ip_forward(const config::ServerConfig& server,
                                                const std::string& proc_file = "/proc/sys/net/ipv4/ip_forward");

}  // namespace sesame::server::daemon
