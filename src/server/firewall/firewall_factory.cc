// SPDX-License-Identifier: GPL-2.0-or-later
// make_firewall_backend: FIREWALL_TYPE to a FirewallBackend.
#include "server/firewall/firewall_factory.h"

#include <string_view>

#include "server/firewall/nft_backend.h"
#include "server/firewall/nft_settings.h"

namespace sesame::server::firewall {
namespace {

std::string_view type_name(config::FirewallType type) {
  switch (type) {
    case config::FirewallType::kNftables:
      return "nftables";
    case config::FirewallType::kIptables:
      return "iptables";
    case config::FirewallType::kFirewalld:
      return "firewalld";
    case config::FirewallType::kIpfw:
      return "ipfw";
    case config::FirewallType::kPf:
      return "pf";
    case config::FirewallType::kNone:
      return "none";
  }
  return "?";
}

}  // namespace

config::FirewallType chosen_firewall_type(const config::ServerConfig& config) {
  if (config.firewall_type) return *config.firewall_type;
  // An fwknopd.conf written for fwknopd names its firewall only through FIREWALL_EXE.
  if (config.firewall_exe) {
    const std::string_view exe = *config.firewall_exe;
    const std::string_view base =
        exe.substr(exe.find_last_of('/') == std::string_view::npos ? 0 : exe.find_last_of('/') + 1);
    if (base.starts_with("iptables") || base.starts_with("ip6tables")) return config::FirewallType::kIptables;
    if (base.starts_with("firewall-cmd")) return config::FirewallType::kFirewalld;
  }
  return config::FirewallType::kNftables;
}

Result<std::unique_ptr<FirewallBackend>, FirewallError> make_firewall_backend(const config::ServerConfig& config) {
  const config::FirewallType type = chosen_firewall_type(config);
  if (type != config::FirewallType::kNftables)
    return fail(FirewallError{"FIREWALL_TYPE " + std::string(type_name(type)) + ": backend not implemented yet"});
  auto backend = NftBackend::create(nft_settings_from(config));
  if (!backend) return fail(backend.error());
  return std::unique_ptr<FirewallBackend>(std::move(*backend));
}

}  // namespace sesame::server::firewall
