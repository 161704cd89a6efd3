// SPDX-License-Identifier: GPL-2.0-or-later
// plan_ipt_grant: fwknopd's rule arguments for one grant.
#include "server/firewall/ipt_rules.h"

#include <ctime>

#include "server/firewall/nat_decision.h"

namespace sesame::server::firewall {
namespace {

std::string any_address(bool is_ipv6) {
  return is_ipv6 ? "::/0" : "0.0.0.0/0";
}

// ENABLE_DESTINATION_RULE: the address the SPA packet was sent to, when it is known and of the source's family.
std::string destination_text(const AccessRequest& request, const IptSettings& settings, bool is_ipv6) {
  const config::IpAddress destination = request.packet_destination.unmapped();
  if (!settings.enable_destination_rule || destination == config::IpAddress() || destination.is_ipv4() == is_ipv6)
    return any_address(is_ipv6);
  return destination.to_string();
}

constexpr std::int64_t kLastTimeMatchDate = 2147483647;

std::string number(unsigned value) {
  return std::to_string(value);
}

void plan_access(const AccessRequest& request, const IptSettings& settings, std::vector<IptRule>& rules) {
  const config::IpAddress source = request.allow_ip.unmapped();
  const bool is_ipv6 = !source.is_ipv4();
  const std::string source_text = source.to_string();
  const std::string destination = destination_text(request, settings, is_ipv6);
  for (const config::ProtoPort& entry : request.ports) {
    const auto protocol = static_cast<std::uint8_t>(entry.protocol);
    rules.push_back(
        IptRule{&settings.input_access,
                is_ipv6,
                {"-p", number(protocol), "-s", source_text, "-d", destination, "--dport", number(entry.port)},
                {"-j", settings.input_access.target},
                ExpiredGrant{source, protocol, entry.port}});
    if (settings.enable_output) {
      rules.push_back(
          IptRule{&settings.output_access,
                  is_ipv6,
                  {"-p", number(protocol), "-d", source_text, "-s", destination, "--sport", number(entry.port)},
                  {"-j", settings.output_access.target},
                  std::nullopt});
    }
  }
}

Result<Ok, FirewallError> plan_nat(const GrantRequest& grant, const IptSettings& settings,
                                   std::vector<IptRule>& rules) {
  auto decided =
      decide_nat(grant, NatOptions{settings.enable_forwarding, settings.enable_local_nat, settings.enable_snat,
                                   settings.snat_translate_ip, settings.enable_nat_dns});
  if (!decided) return fail(decided.error());
  const NatDecision& nat = *decided;
  const AccessRequest& request = *grant.request;
  const std::string source = nat.source.to_string();
  const std::string nat_ip = nat.nat_ip.to_string();
  const std::string destination = destination_text(request, settings, false);
  const bool has_dnat = !nat.disable_dnat && !(nat.forward_all && nat.nat_ip == config::IpAddress());
  // SNAT to an address, or MASQUERADE: the chain and target arguments.
  const bool has_source_nat = nat.masquerade || !nat.snat_to.empty();
  const config::ChainAccess& source_nat_chain = nat.masquerade ? settings.masquerade_access : settings.snat_access;
  std::vector<std::string> source_nat_target{"-j", source_nat_chain.target};
  if (!nat.masquerade) source_nat_target.insert(source_nat_target.end(), {"--to-source", nat.snat_to});

  if (nat.forward_all) {  // gateway mode: everything from the source, whatever it asked for
    const ExpiredGrant whole{nat.source, 0, 0};
    rules.push_back(
        IptRule{&settings.forward_access, false, {"-s", source}, {"-j", settings.forward_access.target}, whole});
    if (has_dnat)
      rules.push_back(IptRule{&settings.dnat_access,
                              false,
                              {"-s", source, "-d", destination},
                              {"-j", settings.dnat_access.target, "--to-destination", nat_ip},
                              std::nullopt});
    if (has_source_nat)
      rules.push_back(IptRule{&source_nat_chain, false, {"-s", source}, source_nat_target, std::nullopt});
    return Ok{};
  }

  for (const config::ProtoPort& entry : request.ports) {
    const auto protocol = static_cast<std::uint8_t>(entry.protocol);
    const std::uint16_t to_port = nat.translated_port(entry.port);
    const ExpiredGrant granted{nat.source, protocol, entry.port};
    if (nat.is_local) {  // the DNAT'ed packets arrive at this host's to_port
      rules.push_back(IptRule{&settings.input_access,
                              false,
                              {"-p", number(protocol), "-s", source, "-d", destination, "--dport", number(to_port)},
                              {"-j", settings.input_access.target},
                              granted});
    } else {
      // Stricter than fwknopd's FORWARD rule, which names no destination: only the NAT host is reachable.
      rules.push_back(IptRule{&settings.forward_access,
                              false,
                              {"-p", number(protocol), "-s", source, "-d", nat_ip, "--dport", number(to_port)},
                              {"-j", settings.forward_access.target},
                              granted});
    }
    if (has_dnat)
      rules.push_back(IptRule{&settings.dnat_access,
                              false,
                              {"-p", number(protocol), "-s", source, "-d", destination, "--dport", number(entry.port)},
                              {"-j", settings.dnat_access.target, "--to-destination", nat_ip + ":" + number(to_port)},
                              std::nullopt});
    // fwknopd matches every connection to the NAT host's port here; the source too keeps it to the knocker's.
    if (has_source_nat)
      rules.push_back(IptRule{&source_nat_chain,
                              false,
                              {"-p", number(protocol), "-s", source, "-d", nat_ip, "--dport", number(to_port)},
                              source_nat_target,
                              std::nullopt});
  }
  return Ok{};
}

}  // namespace

std::vector<std::string> IptRule::spec(std::int64_t expires_s, bool time_match) const {
  std::vector<std::string> words = match;
  words.insert(words.end(),
               {"-m", "comment", "--comment", std::string(kExpireCommentPrefix) + std::to_string(expires_s)});
  // xt_time's dates end in January 2038 (a signed 32-bit time); a later rule relies on sesamed alone.
  // --datestop is inclusive: the rule matches through the whole _exp_ second and no longer.
  if (time_match && expires_s <= kLastTimeMatchDate)
    words.insert(words.end(), {"-m", "time", "--datestop", ipt_utc_time(expires_s)});
  words.insert(words.end(), target.begin(), target.end());
  return words;
}

std::string IptRule::identity() const {
  std::string text = (is_ipv6 ? "6 " : "4 ") + chain->table + " " + chain->to_chain;
  for (const std::string& word : match) text += " " + word;
  for (const std::string& word : target) text += " " + word;
  return text;
}

Result<std::vector<IptRule>, FirewallError> plan_ipt_grant(const GrantRequest& grant, const IptSettings& settings) {
  if (!grant.request) return fail(FirewallError{"a grant without a request"});
  std::vector<IptRule> rules;
  if (is_nat_grant(grant)) {
    if (auto planned = plan_nat(grant, settings, rules); !planned) return fail(planned.error());
  } else {
    plan_access(*grant.request, settings, rules);
  }
  return rules;
}

std::vector<const config::ChainAccess*> ipt_chains(const IptSettings& settings) {
  std::vector<const config::ChainAccess*> chains{&settings.input_access};
  if (settings.enable_output) chains.push_back(&settings.output_access);
  if (settings.enable_forwarding) chains.push_back(&settings.forward_access);
  if (settings.has_nat()) chains.push_back(&settings.dnat_access);
  if (settings.enable_forwarding) chains.insert(chains.end(), {&settings.snat_access, &settings.masquerade_access});
  return chains;
}

std::string ipt_utc_time(std::int64_t epoch_s) {
  const std::time_t time = static_cast<std::time_t>(epoch_s);
  std::tm utc{};
  ::gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return text;
}

}  // namespace sesame::server::firewall
