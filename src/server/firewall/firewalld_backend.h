// SPDX-License-Identifier: GPL-2.0-or-later
// FirewalldBackend: fwknopd's firewalld build (server.md §8.1): the iptables layout of ipt_rules.h issued rule by
// rule as `firewall-cmd --direct --passthrough ipv4|ipv6 <iptables arguments>`, with the FIREWD_* variables.
// Expiry works as fwknopd's: list a chain once its earliest `_exp_` time has passed and delete the expired rules
// by number, so rules a previous run left are found and expired too. Tested by its command lines, not live.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/firewall/command_executor.h"
#include "server/firewall/firewall_backend.h"
#include "server/firewall/ipt_settings.h"

namespace sesame::server::firewall {

class FirewalldBackend final : public FirewallBackend {
 public:
  // `firewall_cmd`: FIREWALL_EXE, else /usr/bin/firewall-cmd.
  FirewalldBackend(IptSettings settings, std::string firewall_cmd, std::unique_ptr<CommandExecutor> executor);

  std::string_view name() const override { return "firewalld"; }
  Result<Ok, FirewallError> start(std::int64_t now_s) override;
  Result<Ok, FirewallError> open(std::span<const GrantRequest> grants, std::int64_t now_s) override;
  Result<std::vector<ExpiredGrant>, FirewallError> expire(std::int64_t now_s) override;
  Result<std::string, FirewallError> list(bool everything) override;
  Result<Ok, FirewallError> flush() override;
  Result<Ok, FirewallError> stop() override;

 private:
  // `firewall-cmd --direct --passthrough ipv4|ipv6 args...`; its output, or an error naming the command.
  Result<std::string, FirewallError> passthrough(bool is_ipv6, const std::vector<std::string>& args);
  bool chain_exists(bool is_ipv6, const config::ChainAccess& chain);
  Result<Ok, FirewallError> start_family(bool is_ipv6);
  Result<Ok, FirewallError> flush_family(bool is_ipv6);
  // Lists the chain, deletes its rules whose `_exp_` time is before now_s, and remembers the earliest left.
  Result<Ok, FirewallError> expire_chain(bool is_ipv6, const config::ChainAccess& chain, std::int64_t now_s,
                                         std::vector<ExpiredGrant>& expired);
  std::vector<const config::ChainAccess*> chains(bool is_ipv6) const;

  IptSettings settings_;
  std::string firewall_cmd_;
  std::unique_ptr<CommandExecutor> executor_;
  // Per family and chain: the earliest `_exp_` time of a rule still in it (absent: none known).
  std::map<std::pair<bool, std::string>, std::int64_t> next_expiry_;
};

}  // namespace sesame::server::firewall
