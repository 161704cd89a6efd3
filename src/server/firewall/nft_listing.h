// SPDX-License-Identifier: GPL-2.0-or-later
// The text nft lists (`nft -a -t list ruleset`, `nft list set`) read back into structs: the backend needs rule
// handles to place and remove its jump, other tables' input policies to warn about, and set elements to recover.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/network_match.h"

namespace sesame::server::firewall {

struct NftRule {
  std::string text;  // as listed, without the "# handle N" comment
  std::uint64_t handle = 0;
};

struct NftChain {
  std::string name;
  std::string hook;    // "input", ... for a base chain; empty for a regular chain
  std::string policy;  // "accept" or "drop" for a base chain
  std::string comment;
  std::vector<NftRule> rules;
};

struct NftTable {
  std::string family;
  std::string name;
  std::string comment;
  std::vector<std::string> sets;  // set and map names
  std::vector<NftChain> chains;

  const NftChain* find_chain(std::string_view chain) const;
  bool has_set(std::string_view set) const;
};

// A listing with handles (NFT_CTX_OUTPUT_HANDLE), best terse (no set elements). Unknown lines are skipped.
std::vector<NftTable> parse_nft_ruleset(std::string_view text);

const NftTable* find_table(const std::vector<NftTable>& tables, std::string_view family, std::string_view name);

// One element of an "address . protocol . port" set.
struct NftElement {
  config::IpAddress address;
  std::uint8_t protocol = 0;
  std::uint16_t port = 0;
  std::optional<std::int64_t> expires_ms;  // nullopt: no timeout
};

// The elements of `nft list set` output ("elements = { 10.0.0.1 . tcp . 22 timeout 30s expires 29s996ms, ... }").
// Elements it cannot read are skipped.
std::vector<NftElement> parse_nft_elements(std::string_view text);

// One element of any set or map, as text: the key and the map data with single blanks ("10.0.0.1 . tcp . 22",
// "10.0.1.2 . 22222"; data empty in a set) and the time left.
struct NftTextElement {
  std::string key;
  std::string value;
  std::optional<std::int64_t> expires_ms;
};

// The elements of `nft list map` or `nft list set` output.
std::vector<NftTextElement> parse_nft_text_elements(std::string_view text);

// nft's time format ("1d2h3m4s5ms"), in milliseconds.
std::optional<std::int64_t> parse_nft_duration_ms(std::string_view text);

}  // namespace sesame::server::firewall
