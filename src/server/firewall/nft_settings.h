// SPDX-License-Identifier: GPL-2.0-or-later
// NftSettings: where in the host's nftables ruleset the nftables backend puts its sets, chain and jump rule.
#pragma once

#include <string>

#include "config/server_config.h"
#include "config/server_config_parser.h"

namespace sesame::server::firewall {

struct NftSettings {
  std::string family = "inet";  // inet, ip or ip6: which address families the table's sets can hold
  std::string table = "filter";
  std::string input_chain = "input";
  std::string forward_chain = "forward";
  int jump_position = 1;  // 1: the top of input_chain; N: before its Nth rule, or last; 0: no jump rule
  // NAT (server.md §8.1), IPv4 only as in fwknopd; the names are fwknopd's, which say iptables.
  bool enable_forwarding = false;        // ENABLE_IPT_FORWARDING: NAT access (types 2/4, FORCE_NAT)
  bool enable_local_nat = false;         // ENABLE_IPT_LOCAL_NAT: local NAT (types 5/6)
  bool enable_snat = false;              // ENABLE_IPT_SNAT: SNAT (or MASQUERADE) forwarded NAT connections
  std::string snat_translate_ip;         // SNAT_TRANSLATE_IP; empty: MASQUERADE
  bool enable_nat_dns = true;            // ENABLE_NAT_DNS: a NAT host may be a name, resolved at grant time
  bool enable_destination_rule = false;  // ENABLE_DESTINATION_RULE: grants match the SPA packet's destination

  bool has_ipv4() const { return family != "ip6"; }
  bool has_ipv6() const { return family != "ip"; }
  std::string table_spec() const { return family + " " + table; }  // "inet filter", as nft commands name it
  bool has_nat() const { return has_ipv4() && (enable_forwarding || enable_local_nat); }
};

// From NFT_TABLE, NFT_INPUT_CHAIN, NFT_FORWARD_CHAIN, NFT_JUMP_POSITION (checked by check_server_config) and the
// NAT and destination settings fwknopd names after iptables.
inline NftSettings nft_settings_from(const config::ServerConfig& config) {
  const auto [family, table] = config::split_nft_table(config.nft_table);
  NftSettings settings;
  settings.family = std::string(family);
  settings.table = std::string(table);
  settings.input_chain = config.nft_input_chain;
  settings.forward_chain = config.nft_forward_chain;
  settings.jump_position = config.nft_jump_position;
  settings.enable_forwarding = config.enable_ipt_forwarding;
  settings.enable_local_nat = config.enable_ipt_local_nat;
  settings.enable_snat = config.enable_ipt_snat;
  settings.snat_translate_ip = config.snat_translate_ip.value_or("");
  settings.enable_nat_dns = config.enable_nat_dns;
  settings.enable_destination_rule = config.enable_destination_rule;
  return settings;
}

}  // namespace sesame::server::firewall
