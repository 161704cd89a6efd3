// SPDX-License-Identifier: GPL-2.0-or-later
// make_firewall_backend: FIREWALL_TYPE to a FirewallBackend.
#include "server/firewall/firewall_factory.h"

#include <string_view>

#include "server/firewall/command_executor.h"
#include "server/firewall/firewalld_backend.h"
#include "server/firewall/ipfw_backend.h"
#include "server/firewall/iptables_backend.h"
#include "server/firewall/nft_backend.h"
#include "server/firewall/nft_settings.h"
#include "server/firewall/none_backend.h"
#include "server/firewall/pf_backend.h"

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
    if (base == "ipfw") return config::FirewallType::kIpfw;
    if (base == "pfctl") return config::FirewallType::kPf;
  }
  return config::FirewallType::kNftables;
}

Result<std::unique_ptr<FirewallBackend>, FirewallError> make_firewall_backend(const config::ServerConfig& config) {
  auto executor = std::make_unique<ProcessExecutor>();
  switch (chosen_firewall_type(config)) {
    case config::FirewallType::kNftables: {
      auto backend = NftBackend::create(nft_settings_from(config));
      if (!backend) return fail(backend.error());
      return std::unique_ptr<FirewallBackend>(std::move(*backend));
    }
    case config::FirewallType::kIptables:
      return std::unique_ptr<FirewallBackend>(std::make_unique<IptablesBackend>(
          ipt_settings_from(config), IptTools::from_exe(config.firewall_exe.value_or("/usr/sbin/iptables")),
          std::move(executor)));
    case config::FirewallType::kFirewalld:
      return std::unique_ptr<FirewallBackend>(std::make_unique<FirewalldBackend>(
          firewalld_settings_from(config), config.firewall_exe.value_or("/usr/bin/firewall-cmd"), std::move(executor)));
    case config::FirewallType::kIpfw:
      return make_ipfw_backend(config, std::move(executor));
    case config::FirewallType::kPf:
      return make_pf_backend(config, std::move(executor));
    case config::FirewallType::kNone:
      return std::unique_ptr<FirewallBackend>(std::make_unique<NoneBackend>());
  }
  return fail(FirewallError{"FIREWALL_TYPE " + std::string(type_name(chosen_firewall_type(config))) + ": unknown"});
}

}  // namespace sesame::server::firewall
