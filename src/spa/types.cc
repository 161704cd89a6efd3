// SPDX-License-Identifier: GPL-2.0-or-later
// Names, parsers and sizes for the protocol codes of types.h.
#include "spa/types.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace sesame::spa {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

constexpr std::array<std::pair<std::string_view, DigestType>, 7> kDigestNames{{
    {"md5", DigestType::kMd5},
    {"sha1", DigestType::kSha1},
    {"sha256", DigestType::kSha256},
    {"sha384", DigestType::kSha384},
    {"sha512", DigestType::kSha512},
    {"sha3_256", DigestType::kSha3_256},
    {"sha3_512", DigestType::kSha3_512},
}};

constexpr std::array<std::pair<std::string_view, EncryptionMode>, 6> kModeNames{{
    {"ecb", EncryptionMode::kEcb},
    {"cbc", EncryptionMode::kCbc},
    {"cfb", EncryptionMode::kCfb},
    {"ofb", EncryptionMode::kOfb},
    {"ctr", EncryptionMode::kCtr},
    {"legacy", EncryptionMode::kCbcLegacyIv},
}};

}  // namespace

bool has_nat_field(MessageType type) {
  switch (type) {
    case MessageType::kNatAccess:
    case MessageType::kClientTimeoutNatAccess:
    case MessageType::kLocalNatAccess:
    case MessageType::kClientTimeoutLocalNatAccess:
      return true;
    default:
      return false;
  }
}

bool has_client_timeout_field(MessageType type) {
  return type == MessageType::kClientTimeoutAccess || type == MessageType::kClientTimeoutNatAccess ||
         type == MessageType::kClientTimeoutLocalNatAccess;
}

bool is_valid_message_type(int code) {
  return code >= 0 && code <= 6;
}

std::string_view message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kCommand:
      return "Command msg";
    case MessageType::kAccess:
      return "Access msg";
    case MessageType::kNatAccess:
      return "NAT access msg";
    case MessageType::kClientTimeoutAccess:
      return "Client timeout access msg";
    case MessageType::kClientTimeoutNatAccess:
      return "Client timeout NAT access msg";
    case MessageType::kLocalNatAccess:
      return "Local NAT access msg";
    case MessageType::kClientTimeoutLocalNatAccess:
      return "Client timeout local NAT access msg";
  }
  return "Unknown message type";
}

std::string_view digest_name(DigestType type) {
  switch (type) {
    case DigestType::kMd5:
      return "MD5";
    case DigestType::kSha1:
      return "SHA1";
    case DigestType::kSha256:
      return "SHA256";
    case DigestType::kSha384:
      return "SHA384";
    case DigestType::kSha512:
      return "SHA512";
    case DigestType::kSha3_256:
      return "SHA3_256";
    case DigestType::kSha3_512:
      return "SHA3_512";
  }
  return "Unknown";
}

std::string_view encryption_mode_name(EncryptionMode mode) {
  switch (mode) {
    case EncryptionMode::kEcb:
      return "ECB";
    case EncryptionMode::kCbc:
      return "CBC";
    case EncryptionMode::kCfb:
      return "CFB";
    case EncryptionMode::kOfb:
      return "OFB";
    case EncryptionMode::kCtr:
      return "CTR";
    case EncryptionMode::kAsymmetric:
      return "Asymmetric";
    case EncryptionMode::kCbcLegacyIv:
      return "legacy";
  }
  return "Unknown";
}

std::string_view encryption_type_name(EncryptionType type) {
  return type == EncryptionType::kGpg ? "GPG" : "Rijndael";
}

std::optional<DigestType> parse_digest_name(std::string_view text) {
  for (const auto& [name, type] : kDigestNames)
    if (iequals(name, text)) return type;
  return std::nullopt;
}

std::optional<EncryptionMode> parse_encryption_mode_name(std::string_view text) {
  for (const auto& [name, mode] : kModeNames)
    if (iequals(name, text)) return mode;
  return std::nullopt;
}

std::size_t digest_size(DigestType type) {
  switch (type) {
    case DigestType::kMd5:
      return 16;
    case DigestType::kSha1:
      return 20;
    case DigestType::kSha256:
    case DigestType::kSha3_256:
      return 32;
    case DigestType::kSha384:
      return 48;
    case DigestType::kSha512:
    case DigestType::kSha3_512:
      return 64;
  }
  return 0;
}

std::size_t digest_b64_length(DigestType type) {
  return (digest_size(type) * 4 + 2) / 3;
}

}  // namespace sesame::spa
