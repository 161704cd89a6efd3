// SPDX-License-Identifier: GPL-2.0-or-later
// FIREWALL_TYPE and the NFT_* variables: parsing, checks, and the backend they choose.
#include "server/firewall/firewall_factory.h"

#include <gtest/gtest.h>

#include "config/server_config_parser.h"
#include "server/firewall/nft_settings.h"

namespace sesame::server::firewall {
namespace {

struct Applied {
  config::ServerConfig config;
  std::vector<config::ConfigError> errors;
};

Applied apply(std::string_view text) {
  Applied applied;
  const auto file = config::parse_server_config("f.conf", text);
  (void)config::apply_server_config(applied.config, file, applied.errors);
  config::check_server_config(applied.config, applied.errors);
  return applied;
}

TEST(NftSettings, DefaultsAreTheInetFilterInputChainTop) {
  const NftSettings settings = nft_settings_from(config::ServerConfig{});
  EXPECT_EQ(settings.table_spec(), "inet filter");
  EXPECT_EQ(settings.input_chain, "input");
  EXPECT_EQ(settings.forward_chain, "forward");
  EXPECT_EQ(settings.jump_position, 1);
  EXPECT_TRUE(settings.has_ipv4() && settings.has_ipv6());
}

TEST(NftSettings, ReadsTheNftVariables) {
  const auto applied =
      apply("NFT_TABLE ip  fw\nNFT_INPUT_CHAIN INPUT\nNFT_FORWARD_CHAIN FORWARD\nNFT_JUMP_POSITION 0\n");
  EXPECT_TRUE(applied.errors.empty());
  const NftSettings settings = nft_settings_from(applied.config);
  EXPECT_EQ(settings.table_spec(), "ip fw");
  EXPECT_TRUE(settings.has_ipv4());
  EXPECT_FALSE(settings.has_ipv6());
  EXPECT_EQ(settings.input_chain, "INPUT");
  EXPECT_EQ(settings.forward_chain, "FORWARD");
  EXPECT_EQ(settings.jump_position, 0);
  EXPECT_EQ(nft_settings_from(apply("NFT_TABLE mytable\n").config).table_spec(), "inet mytable");
}

TEST(NftSettings, RefusesNamesThatAreNotPlainIdentifiers) {
  const auto applied = apply(
      "NFT_TABLE bridge filter\nNFT_INPUT_CHAIN input; flush ruleset\nNFT_FORWARD_CHAIN 9fwd\n"
      "NFT_JUMP_POSITION -1\n");
  ASSERT_EQ(applied.errors.size(), 3u);
  EXPECT_EQ(applied.errors[0].to_string(), "f.conf:4: NFT_JUMP_POSITION: \"-1\" is not in the range 0-65536");
  EXPECT_EQ(applied.errors[1].line, 1);
  EXPECT_NE(applied.errors[1].message.find("FAMILY inet, ip or ip6"), std::string::npos);
  EXPECT_EQ(applied.errors[2].line, 3);
  // "input; flush ruleset": ';' ends a fwknopd.conf value, so this is the valid name "input".
  EXPECT_EQ(applied.config.nft_input_chain, "input");
  EXPECT_FALSE(apply("NFT_INPUT_CHAIN in{put\n").errors.empty());
  EXPECT_FALSE(apply("NFT_TABLE inet a\"b\n").errors.empty());
}

TEST(FirewallFactory, ChoosesNftablesUnlessTheConfigNamesAnotherFirewall) {
  config::ServerConfig config;
  EXPECT_EQ(chosen_firewall_type(config), config::FirewallType::kNftables);
  config.firewall_exe = "/usr/sbin/iptables";
  EXPECT_EQ(chosen_firewall_type(config), config::FirewallType::kIptables);
  config.firewall_exe = "/usr/bin/firewall-cmd";
  EXPECT_EQ(chosen_firewall_type(config), config::FirewallType::kFirewalld);
  config.firewall_exe = "/sbin/ipfw";
  EXPECT_EQ(chosen_firewall_type(config), config::FirewallType::kIpfw);
  config.firewall_exe = "/sbin/pfctl";
  EXPECT_EQ(chosen_firewall_type(config), config::FirewallType::kPf);
  config.firewall_exe = "/usr/sbin/nft";
  EXPECT_EQ(chosen_firewall_type(config), config::FirewallType::kNftables);
  config.firewall_type = config::FirewallType::kPf;
  EXPECT_EQ(chosen_firewall_type(config), config::FirewallType::kPf);
}

TEST(FirewallFactory, MakesTheBackendFirewallTypeNames) {
  const std::vector<std::pair<config::FirewallType, std::string_view>> types{
      {config::FirewallType::kNftables, "nftables"},
      {config::FirewallType::kIptables, "iptables"},
      {config::FirewallType::kFirewalld, "firewalld"},
      {config::FirewallType::kIpfw, "ipfw"},
      {config::FirewallType::kPf, "pf"},
      {config::FirewallType::kNone, "none"}};
  for (const auto& [type, name] : types) {
    config::ServerConfig config;
    config.firewall_type = type;
    auto made = make_firewall_backend(config);
    ASSERT_TRUE(made.has_value()) << name << ": " << made.error().message;
    EXPECT_EQ((*made)->name(), name);
  }
}

TEST(FirewallFactory, TheNoneBackendRefusesGrantsInsteadOfPretending) {
  config::ServerConfig config;
  config.firewall_type = config::FirewallType::kNone;
  auto made = make_firewall_backend(config);
  ASSERT_TRUE(made.has_value());
  AccessRequest request;
  const GrantRequest grant{&request, nullptr};
  EXPECT_TRUE((*made)->open({}, 0).has_value());
  const auto refused = (*made)->open(std::span(&grant, 1), 0);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("CMD_CYCLE_OPEN"), std::string::npos);
}

}  // namespace
}  // namespace sesame::server::firewall
