// SPDX-License-Identifier: GPL-2.0-or-later
// NoneBackend: FIREWALL_TYPE none, for hosts where only command messages and CMD_CYCLE_OPEN/CLOSE change
// anything. A stanza that would need a firewall rule gets a clear refusal instead of a grant nobody applied.
#pragma once

#include "server/firewall/firewall_backend.h"

namespace sesame::server::firewall {

class NoneBackend final : public FirewallBackend {
 public:
  std::string_view name() const override { return "none"; }
  Result<Ok, FirewallError> start(std::int64_t) override { return Ok{}; }
  Result<Ok, FirewallError> open(std::span<const GrantRequest> grants, std::int64_t) override {
    if (grants.empty()) return Ok{};
    return fail(FirewallError{"FIREWALL_TYPE none: no firewall to open; give the stanza CMD_CYCLE_OPEN"});
  }
  Result<std::vector<ExpiredGrant>, FirewallError> expire(std::int64_t) override { return std::vector<ExpiredGrant>{}; }
  Result<std::string, FirewallError> list(bool) override {
    return std::string("FIREWALL_TYPE none: sesamed manages no firewall rules\n");
  }
  Result<Ok, FirewallError> flush() override { return Ok{}; }
};

}  // namespace sesame::server::firewall
