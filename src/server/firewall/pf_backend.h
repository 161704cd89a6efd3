// SPDX-License-Identifier: GPL-2.0-or-later
// PfBackend: grants as rules of one pf anchor (OpenBSD, FreeBSD pf), issued as fwknopd's pf build issues them
// (server.md §8.3).
//
// The anchor PF_ANCHOR_NAME must be referenced from pf.conf (checked with `pfctl -s Anchor`). pfctl cannot add
// one rule to an anchor, so a burst of grants is: list the anchor (`pfctl -a A -s rules`), append `pass in quick
// proto 6 from IP to any port P keep state label _exp_TS` per grant, load the whole text back (`pfctl -a A -f -`).
// Expiry rewrites the anchor without the rules whose _exp_ has passed. docs/firewall-bsd.md lists every command.
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

struct PfSettings {
  std::string exe = "/sbin/pfctl";      // FIREWALL_EXE
  std::string anchor = "fwknop";        // PF_ANCHOR_NAME
  std::int64_t expire_interval_s = 30;  // PF_EXPIRE_INTERVAL: how often the anchor is scanned for rules not tracked
  bool use_destination = false;         // ENABLE_DESTINATION_RULE: `to <packet destination>` instead of `to any`
};

PfSettings pf_settings_from(const config::ServerConfig& config);

class PfBackend final : public FirewallBackend {
 public:
  PfBackend(PfSettings settings, std::unique_ptr<CommandExecutor> executor);

  std::string_view name() const override { return "pf"; }
  Result<Ok, FirewallError> start(std::int64_t now_s) override;
  Result<Ok, FirewallError> open(std::span<const GrantRequest> grants, std::int64_t now_s) override;
  Result<std::vector<ExpiredGrant>, FirewallError> expire(std::int64_t now_s) override;
  Result<std::string, FirewallError> list(bool everything) override;
  Result<Ok, FirewallError> flush() override;
  // fwknopd's pf build always empties its anchor at exit.
  Result<Ok, FirewallError> stop() override { return flush(); }

  std::size_t tracked_count() const { return tracked_.size(); }

 private:
  struct Tracked {
    ExpiredGrant grant;
    std::int64_t expires_s = 0;
  };

  Result<CommandOutcome, FirewallError> execute(const std::vector<std::string>& args, std::string_view input = {});
  Result<std::string, FirewallError> run(const std::vector<std::string>& args, std::string_view input = {});
  // Lists the anchor, drops the rules whose time has passed (reported in `expired`) and loads the rest back, or
  // flushes the anchor when nothing is left.
  Result<Ok, FirewallError> rewrite_without_expired(std::int64_t now_s, std::vector<ExpiredGrant>* expired);
  Result<Ok, FirewallError> flush_anchor();

  PfSettings settings_;
  std::unique_ptr<CommandExecutor> executor_;
  std::map<std::string, Tracked> tracked_;  // grant key ("IP/proto/port") -> its rule's expiry
  std::optional<std::int64_t> last_scan_s_;
  bool may_hold_rules_ = false;  // the anchor may hold rules tracked_ does not know (false after a flush)
};

// For the firewall factory: FIREWALL_EXE (else /sbin/pfctl), PF_ANCHOR_NAME, PF_EXPIRE_INTERVAL of `config`.
std::unique_ptr<FirewallBackend> make_pf_backend(const config::ServerConfig& config,
                                                 std::unique_ptr<CommandExecutor> executor);

}  // namespace sesame::server::firewall
