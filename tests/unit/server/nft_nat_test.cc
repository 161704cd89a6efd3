// SPDX-License-Identifier: GPL-2.0-or-later
// What one NAT grant puts into the nftables backend's NAT sets and maps (server.md §8.1), without a kernel.
#include "server/firewall/nft_nat.h"

#include <string>

#include <gtest/gtest.h>

namespace sesame::server::firewall {
namespace {

NftSettings forwarding() {
  NftSettings settings;
  settings.enable_forwarding = true;
  settings.enable_local_nat = true;
  return settings;
}

AccessRequest request(spa::MessageType type) {
  AccessRequest out;
  out.type = type;
  out.allow_ip = *config::IpAddress::parse("198.51.100.7");
  out.ports = {config::ProtoPort{config::Protocol::kTcp, 40023}, config::ProtoPort{config::Protocol::kUdp, 53}};
  out.nat = NatTarget{"10.2.0.2", 22222};
  return out;
}

// "object key : value" lines, in plan order.
std::string lines(const NftNatGrant& plan) {
  std::string out;
  for (const NftNatElement& element : plan.elements) {
    out += std::string(element.object) + " " + element.key;
    if (!element.value.empty()) out += " : " + element.value;
    if (element.is_reported) out += " *";
    out += "\n";
  }
  for (const ExpiredGrant& input : plan.inputs)
    out += "input " + input.source.to_string() + " " + std::to_string(input.protocol) + " " +
           std::to_string(input.port) + "\n";
  return out;
}

std::string plan_text(const AccessRequest& req, const config::AccessStanza* stanza, const NftSettings& settings) {
  const auto plan = plan_nat_grant(GrantRequest{&req, stanza}, settings);
  return plan ? lines(*plan) : "error: " + plan.error().message;
}

TEST(NftNat, NatAccessIsADnatAndAForwardAcceptPerPort) {
  EXPECT_EQ(plan_text(request(spa::MessageType::kNatAccess), nullptr, forwarding()),
            "sesame_dnat4 198.51.100.7 . tcp . 40023 : 10.2.0.2 . 22222 *\n"
            "sesame_fwd4 198.51.100.7 . 10.2.0.2 . tcp . 22222\n"
            "sesame_dnat4 198.51.100.7 . udp . 53 : 10.2.0.2 . 22222 *\n"
            "sesame_fwd4 198.51.100.7 . 10.2.0.2 . udp . 22222\n");
}

TEST(NftNat, LocalNatIsADnatAndAnInputAcceptOfTheTranslatedPort) {
  AccessRequest req = request(spa::MessageType::kClientTimeoutLocalNatAccess);
  req.ports.resize(1);
  req.nat = NatTarget{"192.0.2.1", 22};
  EXPECT_EQ(plan_text(req, nullptr, forwarding()),
            "sesame_dnat4 198.51.100.7 . tcp . 40023 : 192.0.2.1 . 22\n"
            "input 198.51.100.7 6 22\n");
}

TEST(NftNat, SnatMasqueradeAndDisableDnatFollowTheStanzaAndServerSettings) {
  AccessRequest req = request(spa::MessageType::kNatAccess);
  req.ports.resize(1);
  NftSettings settings = forwarding();
  settings.enable_snat = true;
  EXPECT_EQ(plan_text(req, nullptr, settings),
            "sesame_dnat4 198.51.100.7 . tcp . 40023 : 10.2.0.2 . 22222 *\n"
            "sesame_fwd4 198.51.100.7 . 10.2.0.2 . tcp . 22222\n"
            "sesame_masq4 198.51.100.7 . 10.2.0.2 . tcp . 22222\n");
  settings.snat_translate_ip = "203.0.113.1";
  config::AccessStanza stanza;
  stanza.force_snat = "203.0.113.9";
  stanza.disable_dnat = true;
  EXPECT_EQ(plan_text(req, &stanza, settings),
            "sesame_fwd4 198.51.100.7 . 10.2.0.2 . tcp . 22222 *\n"
            "sesame_snat4 198.51.100.7 . 10.2.0.2 . tcp . 22222 : 203.0.113.9\n");
}

TEST(NftNat, ForceNatTurnsAPlainAccessMessageIntoNatAccess) {
  AccessRequest req = request(spa::MessageType::kAccess);
  req.nat.reset();
  req.ports.resize(1);
  config::AccessStanza stanza;
  stanza.force_nat = config::ForceNat{"10.9.9.9", 2222};
  const GrantRequest grant{&req, &stanza};
  EXPECT_TRUE(is_nat_grant(grant));
  EXPECT_FALSE(is_nat_grant(GrantRequest{&req, nullptr}));
  EXPECT_EQ(plan_text(req, &stanza, forwarding()),
            "sesame_dnat4 198.51.100.7 . tcp . 40023 : 10.9.9.9 . 2222 *\n"
            "sesame_fwd4 198.51.100.7 . 10.9.9.9 . tcp . 2222\n");
}

TEST(NftNat, ForwardAllForwardsEverythingFromTheSource) {
  AccessRequest req = request(spa::MessageType::kAccess);
  req.nat.reset();
  config::AccessStanza stanza;
  stanza.forward_all = true;
  stanza.force_masquerade = true;
  EXPECT_EQ(plan_text(req, &stanza, forwarding()),
            "sesame_fwd_all4 198.51.100.7 *\n"
            "sesame_masq_all4 198.51.100.7\n");
}

TEST(NftNat, DestinationRuleKeysTheDnatOnThePacketsDestination) {
  AccessRequest req = request(spa::MessageType::kNatAccess);
  req.ports.resize(1);
  req.packet_destination = *config::IpAddress::parse("192.0.2.10");
  NftSettings settings = forwarding();
  settings.enable_destination_rule = true;
  EXPECT_EQ(plan_text(req, nullptr, settings),
            "sesame_dnat4d 198.51.100.7 . 192.0.2.10 . tcp . 40023 : 10.2.0.2 . 22222 *\n"
            "sesame_fwd4 198.51.100.7 . 10.2.0.2 . tcp . 22222\n");
}

TEST(NftNat, RefusesWhatIsNotEnabledOrNotIpv4) {
  NftSettings settings;
  settings.enable_local_nat = true;
  EXPECT_NE(plan_text(request(spa::MessageType::kNatAccess), nullptr, settings).find("ENABLE_IPT_FORWARDING"),
            std::string::npos);
  AccessRequest v6 = request(spa::MessageType::kNatAccess);
  v6.allow_ip = *config::IpAddress::parse("2001:db8::1");
  EXPECT_NE(plan_text(v6, nullptr, forwarding()).find("IPv4 only"), std::string::npos);
  AccessRequest named = request(spa::MessageType::kNatAccess);
  named.nat = NatTarget{"internal.example", 22};
  settings = forwarding();
  settings.enable_nat_dns = false;
  EXPECT_NE(plan_text(named, nullptr, settings).find("ENABLE_NAT_DNS"), std::string::npos);
}

TEST(NftNat, SetupCommandsCreateOnlyWhatTheSettingsUse) {
  EXPECT_EQ(nft_nat_setup_commands(NftSettings{}, "inet filter", nullptr), "");
  NftSettings local;
  local.enable_local_nat = true;
  const std::string commands = nft_nat_setup_commands(local, "inet filter", nullptr);
  EXPECT_NE(commands.find("add map inet filter sesame_dnat4 {"), std::string::npos);
  EXPECT_NE(commands.find("dnat ip to ip saddr . meta l4proto . th dport map @sesame_dnat4"), std::string::npos);
  EXPECT_EQ(commands.find("sesame_fwd4"), std::string::npos);
  EXPECT_EQ(commands.find("sesame_postrouting"), std::string::npos);
  EXPECT_EQ(commands.find("sesame_dnat4d"), std::string::npos);
  NftSettings ip6;
  ip6.family = "ip6";
  ip6.enable_forwarding = true;
  EXPECT_EQ(nft_nat_setup_commands(ip6, "ip6 filter", nullptr), "");
}

}  // namespace
}  // namespace sesame::server::firewall
