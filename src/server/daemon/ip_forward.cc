// SPDX-License-Identifier: GPL-2.0-or-later
// prepare_ip_forward: read and, when allowed, set net.ipv4.ip_forward.
#include "server/daemon/ip_forward.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace sesame::server::daemon {

std::optional<IpForwardNote> prepare_ip_forward(const config::ServerConfig& server, const std::string& proc_file) {
  if (!server.enable_ipt_forwarding && !server.enable_firewd_forwarding) return std::nullopt;
  std::ifstream in(proc_file);
  std::string value;
  if (!(in >> value)) return IpForwardNote{true, "NAT forwarding: cannot read " + proc_file};
  if (value != "0") return std::nullopt;
  if (!server.enable_proc_ip_forward)
    return IpForwardNote{true, "NAT forwarding is on but " + proc_file +
                                   " is 0: NAT grants cannot work (set it, or ENABLE_PROC_IP_FORWARD Y)"};
  std::ofstream out(proc_file);
  out << "1\n";
  out.close();
  if (!out)
    return IpForwardNote{true, "ENABLE_PROC_IP_FORWARD: cannot write " + proc_file + ": " + std::strerror(errno)};
  return IpForwardNote{false, "ENABLE_PROC_IP_FORWARD: set " + proc_file + " to 1"};
}

}  // namespace sesame::server::daemon
