// SPDX-License-Identifier: GPL-2.0-or-later
// decide_nat: the firewall-independent half of a NAT grant.
#include "server/firewall/nat_decision.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <memory>

namespace sesame::server::firewall {
namespace {

FirewallError error(std::string message) {
  return FirewallError{std::move(message)};
}

bool is_local_nat(spa::MessageType type) {
  return type == spa::MessageType::kLocalNatAccess || type == spa::MessageType::kClientTimeoutLocalNatAccess;
}

bool is_nat_message(spa::MessageType type) {
  return type == spa::MessageType::kNatAccess || type == spa::MessageType::kClientTimeoutNatAccess ||
         is_local_nat(type);
}

struct AddrinfoFree {
  void operator()(addrinfo* info) const noexcept { ::freeaddrinfo(info); }
};

}  // namespace

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
  addrinfo* found = nullptr;
  const std::string name(host);
  const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
  const std::unique_ptr<addrinfo, AddrinfoFree> owner(found);
  if (rc != 0 || !found || !found->ai_addr)
    return fail(error("cannot resolve NAT host " + name + ": " + ::gai_strerror(rc)));
  const auto* in4 = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  return config::IpAddress::ipv4(ntohl(in4->sin_addr.s_addr));
}

Result<NatDecision, FirewallError> decide_nat(const GrantRequest& grant, const NatOptions& options) {
  if (!grant.request) return fail(error("a grant without a request"));
  const AccessRequest& request = *grant.request;
  const config::AccessStanza* stanza = grant.stanza;
  NatDecision nat;
  nat.source = request.allow_ip.unmapped();
  if (!nat.source.is_ipv4()) return fail(error("NAT access for " + nat.source.to_string() + ": NAT is IPv4 only"));

  nat.forward_all = stanza && stanza->forward_all;
  // FORCE_NAT turns any access message into NAT access to its host (FORWARD_ALL implies FORCE_NAT 0.0.0.0 0).
  const bool is_forced = stanza && (stanza->force_nat || nat.forward_all);
  nat.is_local = !is_forced && is_local_nat(request.type);
  if (nat.is_local ? !options.enable_local_nat : !options.enable_forwarding)
    return fail(error("NAT access for " + nat.source.to_string() + " needs " +
                      (nat.is_local ? "ENABLE_IPT_LOCAL_NAT" : "ENABLE_IPT_FORWARDING") + " Y"));
  std::string host = "0.0.0.0";
  if (stanza && stanza->force_nat) {
    host = stanza->force_nat->ip;
    nat.nat_port = stanza->force_nat->port;
  } else if (request.nat) {
    host = request.nat->host;
    nat.nat_port = request.nat->port;
  } else if (!nat.forward_all) {
    return fail(error("NAT access for " + nat.source.to_string() + " without a NAT host"));
  }
  auto resolved = resolve_nat_host(host, options.enable_nat_dns);
  if (!resolved) return fail(resolved.error());
  nat.nat_ip = *resolved;

  // SNAT (FORCE_SNAT's address, else SNAT_TRANSLATE_IP) or MASQUERADE, for forwarded connections only.
  if (!nat.is_local && stanza && stanza->force_masquerade) {
    nat.masquerade = true;
  } else if (!nat.is_local && stanza && stanza->force_snat) {
    nat.snat_to = *stanza->force_snat;
  } else if (!nat.is_local && options.enable_snat) {
    nat.snat_to = options.snat_translate_ip;
    nat.masquerade = nat.snat_to.empty();
  }
  if (!nat.snat_to.empty()) {
    const auto parsed = config::IpAddress::parse(nat.snat_to);
    if (!parsed || !parsed->is_ipv4()) return fail(error("SNAT address " + nat.snat_to + " is not an IPv4 address"));
    nat.snat_to = parsed->to_string();  // as the firewalls list it, so that a restart recognises the rule
  }
  nat.disable_dnat = stanza && stanza->disable_dnat;
  return nat;
}

}  // namespace sesame::server::firewall
