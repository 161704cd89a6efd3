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

  bool has_ipv4() const { return family != "ip6"; }
  bool has_ipv6() const { return family != "ip"; }
  std::string table_spec() const { return family + " " + table; }  // "inet filter", as nft commands name it
};

// From NFT_TABLE, NFT_INPUT_CHAIN, NFT_FORWARD_CHAIN and NFT_JUMP_POSITION (checked by check_server_config).
inline NftSettings nft_settings_from(const config::ServerConfig& config) {
  const auto [family, table] = config::split_nft_table(config.nft_table);
  return NftSettings{std::string(family), std::string(table), config.nft_input_chain, config.nft_forward_chain,
                     config.nft_jump_position};
}

}  // namespace sesame::server::firewall
