// SPDX-License-Identifier: GPL-2.0-or-later
// NAT for the nftables backend (server.md §8.1, fwknopd's DNAT/FORWARD/SNAT/MASQUERADE rules): the sets and maps
// sesame keeps for NAT grants, the chains and rules that read them, and what one NAT grant puts into them. The
// backend adds the elements with timeouts, so NAT access too ends in the kernel. IPv4 only, as in fwknopd.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/network_match.h"
#include "server/firewall/firewall_backend.h"
#include "server/firewall/nat_decision.h"
#include "server/firewall/nft_listing.h"
#include "server/firewall/nft_settings.h"

namespace sesame::server::firewall {

// Sesame's own NAT base chains (no jump needed: every nat chain of a hook sees the packet) and the regular chain
// NFT_FORWARD_CHAIN jumps to.
inline constexpr std::string_view kNftPreroutingChain = "sesame_prerouting";
inline constexpr std::string_view kNftPostroutingChain = "sesame_postrouting";
inline constexpr std::string_view kNftForwardChain = "sesame_forward";

// One set or map of NAT grants, the chain whose rule reads it and that rule.
struct NftNatObject {
  std::string_view name;
  std::string_view type;   // nft's type clause: "ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service"
  std::string_view chain;  // one of the three chains above
  std::string_view rule;
  bool is_map = false;
  bool is_destination_rule = false;  // exists only with ENABLE_DESTINATION_RULE
};

// Every NAT set and map in rule order; the ones these settings use are those with is_used().
std::span<const NftNatObject> nft_nat_objects();
bool is_used(const NftNatObject& object, const NftSettings& settings);

// The nft commands that create sesame's NAT sets, maps and chains in `table` ("inet filter") and (re)write their
// rules: sesame's chains are flushed and refilled in the same transaction; `existing` (null if none) is the table
// as listed, whose chains are not added again. Empty when NAT is off.
std::string nft_nat_setup_commands(const NftSettings& settings, std::string_view table, const NftTable* existing);

// One element of a NAT set or map.
struct NftNatElement {
  std::string_view object;   // an NftNatObject name
  std::string key;           // as nft lists it: "10.0.0.1 . tcp . 40023"
  std::string value;         // map data, "10.0.1.2 . 22222"; empty in a set
  bool is_reported = false;  // the element expire() reports for its port (one per granted port)
  ExpiredGrant grant;        // what it reports: source, protocol, requested port
};

// What one NAT grant adds: NAT elements, and for local NAT the input accepts (source, protocol, translated port).
struct NftNatGrant {
  std::vector<NftNatElement> elements;
  std::vector<ExpiredGrant> inputs;
};

// The elements one NAT grant needs (server.md §8.1): a DNAT (unless DISABLE_DNAT) from each requested port to
// the NAT host and port; for forwarding a FORWARD accept of the translated destination and, with FORCE_SNAT,
// FORCE_MASQUERADE or ENABLE_IPT_SNAT, an SNAT or MASQUERADE of it; for local NAT an input accept of the
// translated port; for FORWARD_ALL the same by source address alone. The NAT host is resolved here (IPv4, only
// with ENABLE_NAT_DNS): a blocking lookup, as in fwknopd.
Result<NftNatGrant, FirewallError> plan_nat_grant(const GrantRequest& grant, const NftSettings& settings);

// "tcp", "udp" or the number, as nft lists an inet_proto.
std::string nft_protocol_name(std::uint8_t protocol);

}  // namespace sesame::server::firewall
