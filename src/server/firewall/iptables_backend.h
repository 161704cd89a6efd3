// SPDX-License-Identifier: GPL-2.0-or-later
// IptablesBackend: fwknopd's iptables layout (server.md §8.1) — chains FWKNOP_INPUT, FWKNOP_FORWARD, ... jumped to
// from INPUT, FORWARD, PREROUTING and POSTROUTING, one rule per grant with an `_exp_<epoch>` comment — applied
// through iptables-restore --noflush: all rules of one receive burst in one exec and one kernel transaction,
// instead of one exec per rule. IPv6 grants go to the same chains in ip6tables (NAT stays IPv4, as in fwknop).
//
// Where the kernel has iptables' time match, each rule also carries `-m time --datestop <expiry>`, so access ends
// on time even when sesamed is not running to delete the rule. Otherwise sesamed deletes it within a second of
// its expiry, and after a restart with FLUSH_IPT_AT_INIT N takes over the rules a previous run left.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/firewall/command_executor.h"
#include "server/firewall/firewall_backend.h"
#include "server/firewall/ipt_rules.h"
#include "server/firewall/ipt_settings.h"

namespace sesame::server::firewall {

// The programs, derived from FIREWALL_EXE (/usr/sbin/iptables, iptables-legacy, iptables-nft, ...): the same
// directory and variant for restore, save and the IPv6 twins.
struct IptTools {
  std::string iptables = "/usr/sbin/iptables";
  std::string restore = "/usr/sbin/iptables-restore";
  std::string save = "/usr/sbin/iptables-save";
  std::string ip6tables = "/usr/sbin/ip6tables";
  std::string restore6 = "/usr/sbin/ip6tables-restore";
  std::string save6 = "/usr/sbin/ip6tables-save";
  bool has_ipv6 = false;  // restore6 and save6 exist: IPv6 grants can be made

  static IptTools from_exe(const std::string& firewall_exe);
};

class IptablesBackend final : public FirewallBackend {
 public:
  IptablesBackend(IptSettings settings, IptTools tools, std::unique_ptr<CommandExecutor> executor);

  std::string_view name() const override { return "iptables"; }
  Result<Ok, FirewallError> start(std::int64_t now_s) override;
  Result<Ok, FirewallError> open(std::span<const GrantRequest> grants, std::int64_t now_s) override;
  Result<std::vector<ExpiredGrant>, FirewallError> expire(std::int64_t now_s) override;
  Result<std::string, FirewallError> list(bool everything) override;
  Result<Ok, FirewallError> flush() override;
  Result<Ok, FirewallError> stop() override;
  std::vector<std::string> warnings() const override { return warnings_; }

  bool has_time_match() const { return has_time_match_; }
  std::size_t tracked_count() const { return tracked_.size(); }

 private:
  // A rule sesamed added or found, as iptables-restore deletes it again: `-D <chain> <spec>` in `table`.
  struct Tracked {
    bool is_ipv6 = false;
    std::string table;
    std::string chain;
    std::string spec;
    std::int64_t expires_s = 0;
    std::optional<ExpiredGrant> report;
  };
  struct Deadline {
    std::int64_t expires_s = 0;
    std::string identity;
    bool operator>(const Deadline& other) const { return expires_s > other.expires_s; }
  };
  // restore input, by family and table: "-A ...\n-D ...\n"
  using Batch = std::map<std::pair<bool, std::string>, std::string>;

  // Creates (or with FLUSH_IPT_AT_INIT empties) the chains and their jumps; otherwise takes over `_exp_` rules.
  Result<Ok, FirewallError> start_family(bool is_ipv6);
  Result<Ok, FirewallError> check_matches(bool is_ipv6);
  Result<std::string, FirewallError> save(bool is_ipv6, const std::string& table);
  Result<Ok, FirewallError> restore(bool is_ipv6, const Batch& batch);
  Result<Ok, FirewallError> apply(const Batch& batch);
  // Deletes rules, in one transaction when possible, else one by one; a rule already gone is not an error.
  void delete_rules(const std::vector<Tracked>& rules);
  Result<Ok, FirewallError> flush_family(bool is_ipv6);
  // The chains of `family`: every one for IPv4, those of the filter table for IPv6.
  std::vector<const config::ChainAccess*> chains(bool is_ipv6) const;
  void track(std::string identity, Tracked rule);

  IptSettings settings_;
  IptTools tools_;
  std::unique_ptr<CommandExecutor> executor_;
  bool has_ipv6_ = false;
  bool has_time_match_ = false;
  std::vector<std::string> warnings_;
  std::unordered_map<std::string, Tracked> tracked_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;  // may hold stale entries
};

}  // namespace sesame::server::firewall
