// SPDX-License-Identifier: GPL-2.0-or-later
// NatDecision: what one NAT grant means, whatever firewall carries it out (server.md §8.1): which host and port
// the knocker is translated to, whether it is local NAT or forwarding, forward-all (gateway) mode, and how the
// forwarded connection's source is rewritten. The backends only turn it into their own rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/network_match.h"
#include "server/firewall/firewall_backend.h"

namespace sesame::server::firewall {

struct NatOptions {
  bool enable_forwarding = false;  // ENABLE_IPT_FORWARDING: NAT access (types 2/4, FORCE_NAT)
  bool enable_local_nat = false;   // ENABLE_IPT_LOCAL_NAT: local NAT (types 5/6)
  bool enable_snat = false;        // ENABLE_IPT_SNAT
  std::string snat_translate_ip;   // SNAT_TRANSLATE_IP; empty: MASQUERADE
  bool enable_nat_dns = true;      // ENABLE_NAT_DNS: a NAT host may be a name, resolved at grant time
};

struct NatDecision {
  config::IpAddress source;    // the knocker, IPv4
  config::IpAddress nat_ip;    // resolved; 0.0.0.0 in forward-all mode without FORCE_NAT
  std::uint16_t nat_port = 0;  // 0: each requested port maps to itself
  bool is_local = false;       // local NAT (types 5/6): DNAT to this host, accepted on input
  bool forward_all = false;    // FORWARD_ALL: everything from the source, whatever it asked for
  bool disable_dnat = false;   // DISABLE_DNAT: forward only, the knocker addresses the NAT host itself
  bool masquerade = false;     // rewrite the forwarded connection's source by MASQUERADE
  std::string snat_to;         // or by SNAT to this IPv4 address (canonical text); empty: neither or masquerade

  std::uint16_t translated_port(std::uint16_t requested) const { return nat_port != 0 ? nat_port : requested; }
};

// A NAT message (types 2, 4, 5, 6) or any access message of a FORCE_NAT or FORWARD_ALL stanza.
bool is_nat_grant(const GrantRequest& grant);

// Fails when the needed ENABLE_* is off, the source is not IPv4 (fwknop's NAT is IPv4 only), there is no NAT
// host, or it cannot be resolved. Resolving a name blocks, as in fwknopd.
Result<NatDecision, FirewallError> decide_nat(const GrantRequest& grant, const NatOptions& options);

// An IPv4 literal, or with `allow_names` the first IPv4 address the resolver gives.
Result<config::IpAddress, FirewallError> resolve_nat_host(std::string_view host, bool allow_names);

}  // namespace sesame::server::firewall
