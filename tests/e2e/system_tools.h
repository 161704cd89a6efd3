// SPDX-License-Identifier: GPL-2.0-or-later
// Where the firewall and system tools the end-to-end tests drive live on Debian; "" when one is not installed
// (the test then SKIPs and says which).
#pragma once

#include <string>

#include "support/subprocess.h"

namespace sesame::test {

inline std::string nft_path() {
  return find_executable({"/usr/sbin/nft", "/sbin/nft"});
}
inline std::string iptables_path() {
  return find_executable({"/usr/sbin/iptables", "/sbin/iptables"});
}
inline std::string ip6tables_path() {
  return find_executable({"/usr/sbin/ip6tables", "/sbin/ip6tables"});
}
inline std::string sysctl_path() {
  return find_executable({"/usr/sbin/sysctl", "/sbin/sysctl"});
}

// A server's nftables ruleset before sesamed starts: nothing new gets in, not even the SPA port (pcap sees a knock
// before netfilter drops it), except what `extra_input_rules` (whole lines) accepts.
inline std::string default_drop_ruleset(const std::string& extra_input_rules = "") {
  return "table inet filter {\n"
         "  chain input {\n"
         "    type filter hook input priority 0; policy drop;\n"
         "    ct state established,related accept\n"
         "    iif lo accept\n" +
         extra_input_rules +
         "  }\n"
         "}\n";
}

}  // namespace sesame::test
