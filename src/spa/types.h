// SPDX-License-Identifier: GPL-2.0-or-later
// The numeric codes of the fwknop protocol (protocol.md §1) and their names as fwknop prints and parses them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sesame::spa {

// Field 5 of the plaintext; the only code that travels on the wire.
enum class MessageType : int {
  kCommand = 0,
  kAccess = 1,
  kNatAccess = 2,
  kClientTimeoutAccess = 3,
  kClientTimeoutNatAccess = 4,
  kLocalNatAccess = 5,
  kClientTimeoutLocalNatAccess = 6,
};

// Inner digest algorithm; also the HMAC hash (fwknop numbers both the same way, 0 = none).
enum class DigestType : int {
  kMd5 = 1,
  kSha1 = 2,
  kSha256 = 3,
  kSha384 = 4,
  kSha512 = 5,
  kSha3_256 = 6,
  kSha3_512 = 7,
};

enum class EncryptionType : int { kRijndael = 1, kGpg = 2 };

// PCBC (4) is deliberately absent: fwknop rejects it and libfko cannot encrypt with it.
enum class EncryptionMode : int {
  kEcb = 1,
  kCbc = 2,
  kCfb = 3,
  kOfb = 5,
  kCtr = 6,
  kAsymmetric = 7,
  kCbcLegacyIv = 8,
};

constexpr DigestType kDefaultDigestType = DigestType::kSha256;
constexpr DigestType kDefaultHmacType = DigestType::kSha256;
constexpr EncryptionMode kDefaultEncryptionMode = EncryptionMode::kCbc;

bool has_nat_field(MessageType type);
bool has_client_timeout_field(MessageType type);
bool is_valid_message_type(int code);

// Names as `fwknop -v` prints them: "Access msg", "SHA256", "CBC", "Rijndael".
std::string_view message_type_name(MessageType type);
std::string_view digest_name(DigestType type);
std::string_view encryption_mode_name(EncryptionMode mode);
std::string_view encryption_type_name(EncryptionType type);

// Config strings as fwknop accepts them, case-insensitive: "sha3_256", "cbc", "legacy".
std::optional<DigestType> parse_digest_name(std::string_view text);
std::optional<EncryptionMode> parse_encryption_mode_name(std::string_view text);

std::size_t digest_size(DigestType type);
// Length of the digest in unpadded base64; the decoder infers the type from it (protocol.md §3.5).
std::size_t digest_b64_length(DigestType type);

}  // namespace sesame::spa
