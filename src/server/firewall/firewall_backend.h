// SPDX-License-Identifier: GPL-2.0-or-later
// FirewallBackend: the one small interface every firewall implements (design.md). The packet side hands over
// authorised AccessRequests; a backend turns them into rules and takes them away on time. It never parses packets.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/access_stanza.h"
#include "config/server_config.h"
#include "server/access_request.h"

namespace sesame::server::firewall {

struct FirewallError {
  std::string message;  // one line for the log: what failed and the backend's own words
};

// One authorised request and the stanza that authorised it (FORCE_NAT, FORCE_SNAT, ... live there).
struct GrantRequest {
  const AccessRequest* request = nullptr;
  const config::AccessStanza* stanza = nullptr;
};

// A grant a backend removed, for the daemon's `expire` log event.
struct ExpiredGrant {
  config::IpAddress source;
  std::uint8_t protocol = 0;  // 6 tcp, 17 udp
  std::uint16_t port = 0;
};

class FirewallBackend {
 public:
  virtual ~FirewallBackend() = default;

  virtual std::string_view name() const = 0;
  // Creates what the backend needs (tables, chains, sets, jump rules) and takes over the grants a previous run
  // left behind, so that a restart neither drops live access nor leaves stale rules. Called once, before capture.
  virtual Result<Ok, FirewallError> start(std::int64_t now_s) = 0;
  // Applies every grant of one receive burst in one transaction where the firewall allows it: all or nothing.
  // Each grant lasts request->timeout from now_s.
  virtual Result<Ok, FirewallError> open(std::span<const GrantRequest> grants, std::int64_t now_s) = 0;
  // Removes grants whose time has passed and reports them. Backends whose kernel expires rules itself (nftables
  // set timeouts) report what they know has expired and change nothing.
  virtual Result<std::vector<ExpiredGrant>, FirewallError> expire(std::int64_t now_s) = 0;
  // --fw-list (only sesame's rules) and --fw-list-all (the whole relevant policy), as text for stdout.
  virtual Result<std::string, FirewallError> list(bool everything) = 0;
  // --fw-flush, and FLUSH_*_AT_EXIT: removes every rule, set and chain sesame created.
  virtual Result<Ok, FirewallError> flush() = 0;
  // At a clean exit (SIGTERM, SIGINT): what FLUSH_*_AT_EXIT asks for. Backends whose grants end in the kernel
  // leave them in place, so that a restart keeps live access.
  virtual Result<Ok, FirewallError> stop() { return Ok{}; }
  // What start() found worth telling the admin (e.g. another table drops input that sesame's accept cannot undo).
  virtual std::vector<std::string> warnings() const { return {}; }
};

}  // namespace sesame::server::firewall
