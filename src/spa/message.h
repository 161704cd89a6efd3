// SPDX-License-Identifier: GPL-2.0-or-later
// Message: the fields of one SPA request (protocol.md §3.1), as the encoder takes and the decoder returns them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "spa/types.h"

namespace sesame::spa {

// The version string fwknop 2.6.10 and 2.6.11 put in every packet; receivers never act on it.
constexpr std::string_view kDefaultProtocolVersion = "3.0.0";

// Decoder limits (protocol.md §3.6): what a receiver accepts, so also the most an encoder may produce.
constexpr std::size_t kMinPlaintextSize = 36;
constexpr std::size_t kMaxPlaintextSize = 1499;  // every "valid length" check is 36 <= len < 1500
constexpr std::size_t kMaxUsernameSize = 48;     // 64 base64 characters
constexpr std::size_t kMaxMessageSize = 192;     // 256 base64 characters
constexpr std::size_t kMaxNatAccessSize = 127;
constexpr std::size_t kMaxServerAuthSize = 63;
constexpr std::size_t kMaxVersionSize = 8;
constexpr std::uint32_t kMaxClientTimeout = 65536;
constexpr std::uint32_t kMaxTimestamp = 0x7fffffff;  // fwknop parses it into a signed 32-bit int

struct Message {
  std::string random_value;  // 16 decimal digits
  std::string username;
  std::uint32_t timestamp = 0;  // seconds since the epoch
  std::string version{kDefaultProtocolVersion};
  MessageType type = MessageType::kAccess;
  std::string message;                          // access: "IP,proto/port[,...]"; command: "IP,command"
  std::optional<std::string> nat_access;        // "host,port" for the NAT types
  std::optional<std::string> server_auth;       // carried by the protocol, unused by fwknopd
  std::uint32_t client_timeout = 0;             // seconds; only the client-timeout types carry it
  DigestType digest_type = kDefaultDigestType;  // inner digest; inferred from its length on decode

  bool operator==(const Message&) const = default;
};

// libfko's adjustment right before encoding (protocol.md §1.1): a NAT string makes an access request a NAT
// request, and the client timeout picks the timeout variant of each access type.
MessageType adjusted_type(MessageType type, bool has_nat_access, std::uint32_t client_timeout);

}  // namespace sesame::spa
