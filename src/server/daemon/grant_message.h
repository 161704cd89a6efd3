// SPDX-License-Identifier: GPL-2.0-or-later
// GrantMessage: what the unprivileged packet side sends the privileged parent over their SOCK_SEQPACKET pair
// (PRIVILEGE_SEPARATION). One datagram a message, versioned, fixed field order, bounded in size. The parent decodes
// it strictly: every length checked against what is left and its own bound, every enum against its values, no
// trailing byte. A message it cannot decode came from a compromised child and is refused, never trusted in part.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/access_request.h"

namespace sesame::server::daemon {

enum class GrantMessageKind : std::uint8_t {
  kReady = 1,    // the child has set up capture and its sandbox: the parent reports the daemon ready
  kRequest = 2,  // one accepted AccessRequest
};

struct GrantMessage {
  GrantMessageKind kind = GrantMessageKind::kRequest;
  AccessRequest request;  // kRequest only
};

inline constexpr std::uint8_t kGrantMessageVersion = 1;
// Larger than any request a 1500-byte SPA packet can carry; also the parent's receive buffer.
inline constexpr std::size_t kMaxGrantMessageBytes = 8192;
inline constexpr std::size_t kMaxGrantPorts = 1024;
inline constexpr std::size_t kMaxGrantCommandBytes = 4096;
inline constexpr std::size_t kMaxGrantNameBytes = 255;  // username, NAT host

std::vector<std::uint8_t> encode_ready_message();
// Fails only when the request exceeds a bound above (the pipeline never builds one that does).
Result<std::vector<std::uint8_t>, std::string> encode_request_message(const AccessRequest& request);
// The error names the first field that is wrong, for the parent's log line.
Result<GrantMessage, std::string> decode_grant_message(std::span<const std::uint8_t> bytes);

}  // namespace sesame::server::daemon
