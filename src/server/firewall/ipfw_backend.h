// SPDX-License-Identifier: GPL-2.0-or-later
// IpfwBackend: grants as ipfw rules (FreeBSD, macOS), issued as fwknopd's ipfw build issues them (server.md §8.2).
//
// A grant is `ipfw add N set ACTIVE pass 6 from IP to me dst-port P setup keep-state // _exp_TS`, N a free number
// of IPFW_START_RULE_NUM .. +IPFW_MAX_RULES. At its time the rule is moved to the disabled IPFW_EXPIRE_SET_NUM,
// where the connections it let in keep their dynamic states; every IPFW_EXPIRE_PURGE_INTERVAL the rules of that
// set without dynamic states are deleted and their numbers reused. docs/firewall-bsd.md lists every command.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/firewall/command_executor.h"
#include "server/firewall/firewall_backend.h"

namespace sesame::server::firewall {

struct IpfwSettings {
  std::string exe = "/sbin/ipfw";      // FIREWALL_EXE
  bool flush_at_init = true;           // FLUSH_IPFW_AT_INIT
  bool flush_at_exit = true;           // FLUSH_IPFW_AT_EXIT
  int start_rule_num = 10000;          // IPFW_START_RULE_NUM
  int max_rules = 65535;               // IPFW_MAX_RULES
  int active_set = 1;                  // IPFW_ACTIVE_SET_NUM
  int expire_set = 2;                  // IPFW_EXPIRE_SET_NUM
  std::int64_t purge_interval_s = 30;  // IPFW_EXPIRE_PURGE_INTERVAL
  bool add_check_state = false;        // IPFW_ADD_CHECK_STATE
  bool use_destination = false;        // ENABLE_DESTINATION_RULE: `to <packet destination>` instead of `to me`
};

IpfwSettings ipfw_settings_from(const config::ServerConfig& config);

class IpfwBackend final : public FirewallBackend {
 public:
  IpfwBackend(IpfwSettings settings, std::unique_ptr<CommandExecutor> executor);

  std::string_view name() const override { return "ipfw"; }
  Result<Ok, FirewallError> start(std::int64_t now_s) override;
  Result<Ok, FirewallError> open(std::span<const GrantRequest> grants, std::int64_t now_s) override;
  Result<std::vector<ExpiredGrant>, FirewallError> expire(std::int64_t now_s) override;
  Result<std::string, FirewallError> list(bool everything) override;
  Result<Ok, FirewallError> flush() override;
  Result<Ok, FirewallError> stop() override {
    if (!settings_.flush_at_exit) return Ok{};
    return flush();
  }
  std::vector<std::string> warnings() const override { return warnings_; }

  std::size_t active_count() const;   // rule numbers holding live grants
  std::size_t expired_count() const;  // rule numbers in the expire set, not yet purged

 private:
  enum class SlotState { kActive, kExpired, kCheckState };
  struct Slot {  // one used rule number
    SlotState state = SlotState::kActive;
    std::int64_t expires_s = 0;
    std::vector<ExpiredGrant>
        grants;  // fwknopd gave all ports of one request one number: a recovered slot may hold several
  };

  // `exe args...`: an error only when it could not be started (execute) or, for run, also when it failed.
  Result<CommandOutcome, FirewallError> execute(const std::vector<std::string>& args);
  Result<std::string, FirewallError> run(const std::vector<std::string>& args);
  void recover_active(std::string_view listing, std::int64_t now_s);
  void recover_expired(std::string_view listing);
  Result<Ok, FirewallError> move_due_rules(std::int64_t now_s, std::vector<ExpiredGrant>& expired);
  Result<Ok, FirewallError> purge();
  bool in_range(int number) const;
  void drop_keys_of(int number);

  IpfwSettings settings_;
  std::unique_ptr<CommandExecutor> executor_;
  std::vector<std::string> warnings_;
  std::map<int, Slot> slots_;                 // used rule numbers; absent = free
  std::map<std::string, int> numbers_;        // grant key ("IP/proto/port") -> the active number holding it
  std::vector<ExpiredGrant> unreported_;      // moved to the expire set, not yet returned by expire()
  std::optional<std::int64_t> last_purge_s_;  // unset: the first expired rule is purged at once, as in fwknopd
};

// For the firewall factory: FIREWALL_EXE (else /sbin/ipfw) and the IPFW_* settings of `config`.
std::unique_ptr<FirewallBackend> make_ipfw_backend(const config::ServerConfig& config,
                                                   std::unique_ptr<CommandExecutor> executor);

}  // namespace sesame::server::firewall
