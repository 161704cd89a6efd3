// SPDX-License-Identifier: GPL-2.0-or-later
// check_grant: the same rules as Pipeline::apply_policy (server.md §4), applied to the request alone.
#include "server/daemon/grant_check.h"

#include <chrono>

namespace sesame::server::daemon {
namespace {

bool is_local_nat(spa::MessageType type) {
  return type == spa::MessageType::kLocalNatAccess || type == spa::MessageType::kClientTimeoutLocalNatAccess;
}

Result<Ok, std::string> check_command(const AccessRequest& request, const config::AccessStanza& stanza) {
  if (!stanza.enable_cmd_exec) return fail(std::string("a command message, and the stanza has no ENABLE_CMD_EXEC"));
  if (!request.command) return fail(std::string("a command message without a command"));
  if (!request.ports.empty() || request.nat) return fail(std::string("a command message with ports or NAT"));
  return Ok{};
}

Result<Ok, std::string> check_access(const AccessRequest& request, const config::AccessStanza& stanza,
                                     const PipelineSettings& settings) {
  if (request.command) return fail(std::string("a command in an access request"));
  const bool wants_nat = spa::has_nat_field(request.type);
  if (wants_nat != request.nat.has_value()) return fail(std::string("NAT target and message type disagree"));
  if (wants_nat && !(is_local_nat(request.type) ? settings.local_nat : settings.nat_forwarding))
    return fail(std::string("NAT, and fwknopd.conf does not enable it"));
  // ports_allowed also refuses an empty list: a grant always names what it opens.
  if (!config::ports_allowed(request.ports, stanza.open_ports, stanza.restrict_ports))
    return fail(std::string("ports not allowed by OPEN_PORTS/RESTRICT_PORTS"));
  // FW_ACCESS_TIMEOUT, or a client's own timeout of at most MAX_FW_TIMEOUT: never longer than both.
  if (request.timeout.count() <= 0 ||
      (request.timeout != stanza.fw_access_timeout && request.timeout > stanza.max_fw_timeout))
    return fail("timeout " + std::to_string(request.timeout.count()) + " s beyond FW_ACCESS_TIMEOUT/MAX_FW_TIMEOUT");
  return Ok{};
}

}  // namespace

Result<Ok, std::string> check_grant(const AccessRequest& request, const config::AccessConfig& access,
                                    const PipelineSettings& settings, std::int64_t now_s) {
  if (request.stanza_index >= access.stanzas.size())
    return fail("stanza index " + std::to_string(request.stanza_index) + " out of range (" +
                std::to_string(access.stanzas.size()) + " stanzas)");
  const config::AccessStanza& stanza = access.stanzas[request.stanza_index];
  if (stanza.is_expired(std::chrono::system_clock::time_point(std::chrono::seconds(now_s))))
    return fail(std::string("the stanza has expired (ACCESS_EXPIRE)"));
  if (!stanza.source.contains(request.packet_source)) return fail(std::string("packet source outside SOURCE"));
  if (stanza.destination && !stanza.destination->contains(request.packet_destination))
    return fail(std::string("packet destination outside DESTINATION"));
  // REQUIRE_SOURCE_ADDRESS refuses 0.0.0.0 ("whoever sent this"), which anyone on the path can race for.
  if (stanza.require_source_address && request.is_source_allow_ip)
    return fail(std::string("allow IP 0.0.0.0, and the stanza has REQUIRE_SOURCE_ADDRESS"));
  if (stanza.require_username && *stanza.require_username != request.username)
    return fail(std::string("username is not REQUIRE_USERNAME"));
  if (request.type == spa::MessageType::kCommand) return check_command(request, stanza);
  return check_access(request, stanza, settings);
}

}  // namespace sesame::server::daemon
