// SPDX-License-Identifier: GPL-2.0-or-later
// Why the pipeline dropped a packet: a counter per reason, never a string or a log line per packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sesame::server {

enum class DropReason : std::uint8_t {
  kTooShort,           // under fwknopd's 140-byte minimum
  kTooLong,            // over 1500 bytes
  kNotSpaData,         // a byte outside base64, or a re-prefixed copy of a packet (protocol.md §11)
  kSource,             // no stanza's SOURCE/DESTINATION matches the packet's addresses
  kHmac,               // no stanza's HMAC verifies
  kReplay,             // seen before (canonical digest, protocol.md §17.5)
  kReplayCacheFull,    // the replay cache is full of live entries: fail closed
  kReplayStoreDown,    // the shared replay cache (REPLAY_CACHE_URL) did not answer, REPLAY_CACHE_FAILURE closed
  kDecode,             // authenticated (or no HMAC) but decryption or decoding failed
  kStale,              // timestamp outside MAX_SPA_PACKET_AGE
  kSourceRequired,     // REQUIRE_SOURCE_ADDRESS and the allow IP is 0.0.0.0
  kUser,               // REQUIRE_USERNAME mismatch
  kExpiredStanza,      // ACCESS_EXPIRE passed
  kDeniedPort,         // OPEN_PORTS / RESTRICT_PORTS
  kCommandNotAllowed,  // a command message to a stanza without ENABLE_CMD_EXEC
  kNatNotEnabled,      // a NAT request without ENABLE_IPT_FORWARDING / ENABLE_IPT_LOCAL_NAT
  kGpgSignature,       // GPG signature missing, bad, or from a signer not listed
};
constexpr std::size_t kDropReasonCount = 17;

// The `reason` of a JSON reject event: "hmac", "replay", "stale", "source", "denied_port", ...
std::string_view drop_reason_name(DropReason reason);

// How far a packet got: when several stanzas fail it, the reason of the stanza it got furthest with is reported.
int drop_reason_depth(DropReason reason);

class DropCounters {
 public:
  void count(DropReason reason) { ++counts_[static_cast<std::size_t>(reason)]; }
  std::uint64_t operator[](DropReason reason) const { return counts_[static_cast<std::size_t>(reason)]; }
  std::uint64_t total() const;

 private:
  std::array<std::uint64_t, kDropReasonCount> counts_{};
};

}  // namespace sesame::server
