// SPDX-License-Identifier: GPL-2.0-or-later
// The firewall backend FIREWALL_TYPE (or, unset, FIREWALL_EXE) names, built from the server config.
#pragma once

#include <memory>

#include "common/result.h"
#include "config/server_config.h"
#include "server/firewall/firewall_backend.h"

namespace sesame::server::firewall {

// FIREWALL_TYPE, else iptables when FIREWALL_EXE names iptables, firewalld when it names firewall-cmd, else
// nftables. Only nftables exists so far: every other type is an error saying so.
config::FirewallType chosen_firewall_type(const config::ServerConfig& config);
Result<std::unique_ptr<FirewallBackend>, FirewallError> make_firewall_backend(const config::ServerConfig& config);

}  // namespace sesame::server::firewall
