// SPDX-License-Identifier: GPL-2.0-or-later
// NAT grants for the nftables backend (see nft_nat.h): fwknopd's per-grant iptables rules become elements of a
// few fixed sets and maps, so a grant costs no rule and expires in the kernel.
#include "server/firewall/nft_nat.h"

#include <netdb.h>
#include <sys/socket.h>

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

bool is_local_nat(spa::MessageType type) {
  return type == spa::MessageType::kLocalNatAccess || type == spa::MessageType::kClientTimeoutLocalNatAccess;
}

bool is_nat_message(spa::MessageType type) {
  return type == spa::MessageType::kNatAccess || type == spa::MessageType::kClientTimeoutNatAccess ||
         is_local_nat(type);
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) {
    if (!out.empty()) out += " . ";
    out += part;
  }
  return out;
}

struct AddrinfoFree {
  void operator()(addrinfo* info) const noexcept { ::freeaddrinfo(info); }
};

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

bool is_nat_grant(const GrantRequest& grant) {
  if (grant.request && is_nat_message(grant.request->type)) return true;
  return grant.stanza && (grant.stanza->force_nat || grant.stanza->forward_all);
}

Result<config::IpAddress, FirewallError> resolve_nat_host(std::string_view host, bool allow_names) {
  if (const auto address = config::IpAddress::parse(host)) {
    if (!address->unmapped().is_ipv4()) return fail(error("NAT host " + std::string(host) + " is not IPv4"));
    return address->unmapped();
  }
  if (!allow_names) return fail(error("NAT host " + std::string(host) + " is a name and ENABLE_NAT_DNS is N"));
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string name(host);
  const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
  const std::unique_ptr<addrinfo, AddrinfoFree> owner(found);
  if (rc != 0 || !found || !found->ai_addr)
    return fail(error("cannot resolve NAT host " + name + ": " + ::gai_strerror(rc)));
  const auto* in4 = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  return config::IpAddress::ipv4(ntohl(in4->sin_addr.s_addr));
}

Result<NftNatGrant, FirewallError> plan_nat_grant(const GrantRequest& grant, const NftSettings& settings) {
  if (!grant.request) return fail(error("a grant without a request"));
  const AccessRequest& request = *grant.request;
  const config::AccessStanza* stanza = grant.stanza;
  const config::IpAddress source = request.allow_ip.unmapped();
  if (!source.is_ipv4() || !settings.has_ipv4())
    return fail(error("NAT access for " + source.to_string() + ": NAT is IPv4 only"));

  const bool forward_all = stanza && stanza->forward_all;
  // FORCE_NAT turns any access message into NAT access to its host (FORWARD_ALL implies FORCE_NAT 0.0.0.0 0).
  const bool is_forced = stanza && (stanza->force_nat || forward_all);
  const bool is_local = !is_forced && is_local_nat(request.type);
  if (is_local ? !settings.enable_local_nat : !settings.enable_forwarding)
    return fail(error("NAT access for " + source.to_string() + " needs " +
                      (is_local ? "ENABLE_IPT_LOCAL_NAT" : "ENABLE_IPT_FORWARDING") + " Y"));
  std::string host = "0.0.0.0";
  std::uint16_t nat_port = 0;
  if (stanza && stanza->force_nat) {
    host = stanza->force_nat->ip;
    nat_port = stanza->force_nat->port;
  } else if (request.nat) {
    host = request.nat->host;
    nat_port = request.nat->port;
  } else if (!forward_all) {
    return fail(error("NAT access for " + source.to_string() + " without a NAT host"));
  }
  auto resolved = resolve_nat_host(host, settings.enable_nat_dns);
  if (!resolved) return fail(resolved.error());
  const std::string nat_ip = resolved->to_string();
  const std::string source_text = source.to_string();

  // SNAT (FORCE_SNAT's address, else SNAT_TRANSLATE_IP) or MASQUERADE, for forwarded connections only.
  std::string snat_to;
  bool masquerade = false;
  if (!is_local && stanza && stanza->force_masquerade) {
    masquerade = true;
  } else if (!is_local && stanza && stanza->force_snat) {
    snat_to = *stanza->force_snat;
  } else if (!is_local && settings.enable_snat) {
    snat_to = settings.snat_translate_ip;
    masquerade = snat_to.empty();
  }
  if (!snat_to.empty()) {
    const auto parsed = config::IpAddress::parse(snat_to);
    if (!parsed || !parsed->is_ipv4()) return fail(error("SNAT address " + snat_to + " is not an IPv4 address"));
    snat_to = parsed->to_string();  // as nft lists it, so that a restart recognises the element
  }

  const bool disable_dnat = stanza && stanza->disable_dnat;
  NftNatGrant plan;
  if (forward_all) {  // gateway mode: everything from the source, whatever it asked for
    const ExpiredGrant whole{source, 0, 0};
    plan.elements.push_back(NftNatElement{kForwardAll, source_text, {}, true, whole});
    if (!disable_dnat && *resolved != config::IpAddress())
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
    const std::uint16_t to_port = nat_port != 0 ? nat_port : entry.port;
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
