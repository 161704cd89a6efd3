// SPDX-License-Identifier: GPL-2.0-or-later
// NAT grants for the nftables backend (see nft_nat.h): fwknopd's per-grant iptables rules become elements of a
// few fixed sets and maps, so a grant costs no rule and expires in the kernel.
#include "server/firewall/nft_nat.h"

#include <array>
#include <memory>

#include "server/firewall/nft_backend.h"

namespace sesame::server::firewall {
namespace {

// In rule order per chain. Keys carry the source first, as in every fwknopd rule (`-s <IP>`).
constexpr std::array kObjects{
    NftNatObject{"sesame_dnat4d", "ipv4_addr . ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service",
                 kNftPreroutingChain, "dnat ip to ip saddr . ip daddr . meta l4proto . th dport map @sesame_dnat4d",
                 true, true},
    NftNatObject{"sesame_dnat4", "ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service",
                 kNftPreroutingChain, "dnat ip to ip saddr . meta l4proto . th dport map @sesame_dnat4", true, false},
    NftNatObject{"sesame_dnat_all4", "ipv4_addr : ipv4_addr", kNftPreroutingChain,
                 "dnat ip to ip saddr map @sesame_dnat_all4", true, false},
    NftNatObject{"sesame_snat4", "ipv4_addr . ipv4_addr . inet_proto . inet_service : ipv4_addr", kNftPostroutingChain,
                 "snat ip to ip saddr . ip daddr . meta l4proto . th dport map @sesame_snat4", true, false},
    NftNatObject{"sesame_masq4", "ipv4_addr . ipv4_addr . inet_proto . inet_service", kNftPostroutingChain,
                 "ip saddr . ip daddr . meta l4proto . th dport @sesame_masq4 masquerade", false, false},
    NftNatObject{"sesame_snat_all4", "ipv4_addr : ipv4_addr", kNftPostroutingChain,
                 "snat ip to ip saddr map @sesame_snat_all4", true, false},
    NftNatObject{"sesame_masq_all4", "ipv4_addr", kNftPostroutingChain, "ip saddr @sesame_masq_all4 masquerade", false,
                 false},
    NftNatObject{"sesame_fwd4", "ipv4_addr . ipv4_addr . inet_proto . inet_service", kNftForwardChain,
                 "ip saddr . ip daddr . meta l4proto . th dport @sesame_fwd4 accept", false, false},
    NftNatObject{"sesame_fwd_all4", "ipv4_addr", kNftForwardChain, "ip saddr @sesame_fwd_all4 accept", false, false},
};

constexpr std::string_view kDnat = "sesame_dnat4";
constexpr std::string_view kDnatDestination = "sesame_dnat4d";
constexpr std::string_view kDnatAll = "sesame_dnat_all4";
constexpr std::string_view kSnat = "sesame_snat4";
constexpr std::string_view kMasquerade = "sesame_masq4";
constexpr std::string_view kSnatAll = "sesame_snat_all4";
constexpr std::string_view kMasqueradeAll = "sesame_masq_all4";
constexpr std::string_view kForward = "sesame_fwd4";
constexpr std::string_view kForwardAll = "sesame_fwd_all4";

FirewallError error(std::string message) {
  return FirewallError{"nftables: " + std::move(message)};
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) {
    if (!out.empty()) out += " . ";
    out += part;
  }
  return out;
}

}  // namespace

std::span<const NftNatObject> nft_nat_objects() {
  return kObjects;
}

bool is_used(const NftNatObject& object, const NftSettings& settings) {
  if (!settings.has_nat()) return false;
  if (object.is_destination_rule && !settings.enable_destination_rule) return false;
  // Forwarding, SNAT and MASQUERADE serve NAT access only; local NAT is DNAT plus an input accept.
  return object.chain == kNftPreroutingChain || settings.enable_forwarding;
}

std::string nft_nat_setup_commands(const NftSettings& settings, std::string_view table, const NftTable* existing) {
  if (!settings.has_nat()) return {};
  const std::string prefix = " " + std::string(table) + " ";
  const std::string created = "comment \"" + std::string(NftBackend::kCreatedComment) + "\"; }\n";
  std::string out;
  for (const NftNatObject& object : kObjects) {
    if (!is_used(object, settings)) continue;
    out += object.is_map ? "add map" : "add set";
    out += prefix + std::string(object.name) + " { type " + std::string(object.type) + "; flags timeout; }\n";
  }
  // Sesame's own nat base chains (nat chains cannot drop, so no admin policy depends on them), added only when
  // absent: `add chain` with a comment fails on an existing chain.
  const auto add_base_chain = [&](std::string_view chain, std::string_view hook, std::string_view priority) {
    if (existing && existing->find_chain(chain)) return;
    out += "add chain" + prefix + std::string(chain) + " { type nat hook " + std::string(hook) + " priority " +
           std::string(priority) + "; policy accept; " + created;
  };
  add_base_chain(kNftPreroutingChain, "prerouting", "dstnat");
  if (settings.enable_forwarding) {
    add_base_chain(kNftPostroutingChain, "postrouting", "srcnat");
    out += "add chain" + prefix + std::string(kNftForwardChain) + "\n";
  }
  for (const std::string_view chain : {kNftPreroutingChain, kNftPostroutingChain, kNftForwardChain}) {
    if (chain != kNftPreroutingChain && !settings.enable_forwarding) continue;
    out += "flush chain" + prefix + std::string(chain) + "\n";
    for (const NftNatObject& object : kObjects)
      if (object.chain == chain && is_used(object, settings))
        out += "add rule" + prefix + std::string(chain) + " " + std::string(object.rule) + "\n";
  }
  return out;
}

std::string nft_protocol_name(std::uint8_t protocol) {
  if (protocol == 6) return "tcp";
  if (protocol == 17) return "udp";
  return std::to_string(protocol);
}

Result<NftNatGrant, FirewallError> plan_nat_grant(const GrantRequest& grant, const NftSettings& settings) {
  if (!settings.has_ipv4()) return fail(error("NAT access: NAT is IPv4 only and NFT_TABLE is ip6"));
  auto decided =
      decide_nat(grant, NatOptions{settings.enable_forwarding, settings.enable_local_nat, settings.enable_snat,
                                   settings.snat_translate_ip, settings.enable_nat_dns});
  if (!decided) return fail(error(decided.error().message));
  const NatDecision& nat = *decided;
  const AccessRequest& request = *grant.request;
  const config::IpAddress source = nat.source;
  const std::string nat_ip = nat.nat_ip.to_string();
  const std::string source_text = source.to_string();
  const bool forward_all = nat.forward_all;
  const bool is_local = nat.is_local;
  const bool masquerade = nat.masquerade;
  const std::string& snat_to = nat.snat_to;
  const bool disable_dnat = nat.disable_dnat;
  NftNatGrant plan;
  if (forward_all) {  // gateway mode: everything from the source, whatever it asked for
    const ExpiredGrant whole{source, 0, 0};
    plan.elements.push_back(NftNatElement{kForwardAll, source_text, {}, true, whole});
    if (!disable_dnat && nat.nat_ip != config::IpAddress())
      plan.elements.push_back(NftNatElement{kDnatAll, source_text, nat_ip, false, whole});
    if (masquerade) plan.elements.push_back(NftNatElement{kMasqueradeAll, source_text, {}, false, whole});
    if (!snat_to.empty()) plan.elements.push_back(NftNatElement{kSnatAll, source_text, snat_to, false, whole});
    return plan;
  }

  // ENABLE_DESTINATION_RULE: the DNAT matches the address the SPA packet was sent to, as fwknopd's `-d <dst>`.
  const config::IpAddress destination = request.packet_destination.unmapped();
  const bool has_destination =
      settings.enable_destination_rule && destination.is_ipv4() && destination != config::IpAddress();
  for (const config::ProtoPort& entry : request.ports) {
    const auto protocol = static_cast<std::uint8_t>(entry.protocol);
    const std::string protocol_name = nft_protocol_name(protocol);
    const std::uint16_t to_port = nat.translated_port(entry.port);
    const std::string to_port_text = std::to_string(to_port);
    const ExpiredGrant granted{source, protocol, entry.port};
    if (!disable_dnat) {
      const std::string port_text = std::to_string(entry.port);
      std::string key = has_destination ? join({source_text, destination.to_string(), protocol_name, port_text})
                                        : join({source_text, protocol_name, port_text});
      // Local NAT reports its input accept instead, which has the port the client reaches.
      plan.elements.push_back(NftNatElement{has_destination ? kDnatDestination : kDnat, std::move(key),
                                            join({nat_ip, to_port_text}), !is_local, granted});
    }
    if (is_local) {
      plan.inputs.push_back(ExpiredGrant{source, protocol, to_port});
      continue;
    }
    // Stricter than fwknopd's FORWARD rule, which names no destination: only the NAT host is reachable.
    const std::string forwarded = join({source_text, nat_ip, protocol_name, to_port_text});
    plan.elements.push_back(NftNatElement{kForward, forwarded, {}, disable_dnat, granted});
    if (masquerade) plan.elements.push_back(NftNatElement{kMasquerade, forwarded, {}, false, granted});
    if (!snat_to.empty()) plan.elements.push_back(NftNatElement{kSnat, forwarded, snat_to, false, granted});
  }
  return plan;
}

}  // namespace sesame::server::firewall
