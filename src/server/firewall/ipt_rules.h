// SPDX-License-Identifier: GPL-2.0-or-later
// IptRule: one rule of fwknopd's iptables layout (server.md §8.1) — which chain, what it matches, what it does —
// and the rules one grant needs. Shared by the iptables backend (fed to iptables-restore) and the firewalld
// backend (one firewall-cmd passthrough per rule), so both produce fwknopd's rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/server_config.h"
#include "server/firewall/firewall_backend.h"
#include "server/firewall/ipt_settings.h"
#include "server/firewall/rule_text.h"

namespace sesame::server::firewall {

struct IptRule {
  const config::ChainAccess* chain = nullptr;  // table, to_chain and target: one of the IptSettings' accesses
  bool is_ipv6 = false;
  std::vector<std::string> match;      // "-p 6 -s 10.0.0.2 -d 0.0.0.0/0 --dport 22"
  std::vector<std::string> target;     // "-j ACCEPT", "-j DNAT --to-destination 10.0.1.2:22"
  std::optional<ExpiredGrant> report;  // what expire() reports when this rule goes (one rule per granted port)

  // match, `-m comment --comment _exp_<expires_s>`, with `time_match` also `-m time --datestop <expires_s UTC>`
  // (the kernel stops matching it even if nobody deletes it), then target: what follows `-A <chain>`.
  std::vector<std::string> spec(std::int64_t expires_s, bool time_match) const;
  // The rule without its expiry: the same access granted again replaces the rule instead of adding a second.
  std::string identity() const;
};

// The rules a grant needs (server.md §8.1): an input accept per requested port (and an output accept with
// ENABLE_IPT_OUTPUT), or for NAT the FORWARD, DNAT, SNAT/MASQUERADE and local-NAT input rules. IPv6 sources get
// ip6tables input/output rules; NAT is IPv4 only.
Result<std::vector<IptRule>, FirewallError> plan_ipt_grant(const GrantRequest& grant, const IptSettings& settings);

// The chains sesamed manages with these settings, in the order they are set up: input always, output with
// ENABLE_IPT_OUTPUT, forward and DNAT with NAT, SNAT and MASQUERADE with NAT (FORCE_SNAT needs them without
// ENABLE_IPT_SNAT too).
std::vector<const config::ChainAccess*> ipt_chains(const IptSettings& settings);

// "2026-11-26T08:00:01": the UTC time iptables' time match takes.
std::string ipt_utc_time(std::int64_t epoch_s);

}  // namespace sesame::server::firewall
