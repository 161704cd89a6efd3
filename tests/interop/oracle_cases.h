// SPDX-License-Identifier: GPL-2.0-or-later
// Shared pieces of the libsesame -> fwknopd tests: key sets as Keys and as access.conf stanzas, fwknop's names,
// and the checks of fwknopd's decoded-field dump.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fwknopd_oracle.h"
#include "spa/packet_codec.h"

namespace sesame::test {

inline constexpr spa::DigestType kAllDigests[] = {
    spa::DigestType::kMd5,    spa::DigestType::kSha1,     spa::DigestType::kSha256,  spa::DigestType::kSha384,
    spa::DigestType::kSha512, spa::DigestType::kSha3_256, spa::DigestType::kSha3_512};
inline constexpr spa::EncryptionMode kAllRijndaelModes[] = {
    spa::EncryptionMode::kCbc, spa::EncryptionMode::kEcb, spa::EncryptionMode::kCfb,
    spa::EncryptionMode::kOfb, spa::EncryptionMode::kCtr, spa::EncryptionMode::kCbcLegacyIv};
inline constexpr spa::MessageType kAllMessageTypes[] = {spa::MessageType::kCommand,
                                                        spa::MessageType::kAccess,
                                                        spa::MessageType::kNatAccess,
                                                        spa::MessageType::kClientTimeoutAccess,
                                                        spa::MessageType::kClientTimeoutNatAccess,
                                                        spa::MessageType::kLocalNatAccess,
                                                        spa::MessageType::kClientTimeoutLocalNatAccess};

// fwknopd silently drops payloads shorter than this (protocol.md §11), before any stanza is tried.
inline constexpr std::size_t kFwknopdMinPayload = 140;

// NAT requests are refused unless fwknopd.conf enables them (server.md §4 step 12).
inline constexpr const char* kNatEnabledConf = "ENABLE_IPT_FORWARDING Y\nENABLE_IPT_LOCAL_NAT Y\n";

// Names as access.conf takes them ("sha3_256") and as fwknop's field dump prints them ("3 (SHA256)").
std::string config_name(spa::DigestType type);
std::string numbered(spa::DigestType type);
std::string numbered(spa::EncryptionMode mode);
std::string numbered(spa::MessageType type);

std::string random_string(std::mt19937& rng, std::string_view alphabet, std::size_t min_size, std::size_t max_size);

// One Rijndael key set, as libsesame Keys and as the access.conf stanza holding it.
struct KeySet {
  spa::EncryptionMode mode = spa::EncryptionMode::kCbc;
  std::optional<spa::DigestType> hmac;
  bool base64 = false;   // KEY_BASE64 / HMAC_KEY_BASE64 instead of KEY / HMAC_KEY
  std::string key;       // text, or raw bytes when `base64`
  std::string hmac_key;  // likewise; empty without HMAC

  // Random keys of 1..32 (encryption) and 1..128 (HMAC) bytes; text keys avoid what access.conf cannot hold.
  static KeySet random(std::mt19937& rng, spa::EncryptionMode mode, std::optional<spa::DigestType> hmac, bool base64);
  spa::Keys keys() const;
  // "SOURCE ANY" plus the keys, mode and ENABLE_CMD_EXEC Y (so --test accepts command messages).
  std::string stanza() const;
};

// A packet libsesame encoded, with libsesame's own decode of it.
struct Sent {
  KeySet keys;
  spa::Message message;
  std::string wire;
  spa::DecodedPacket decoded;
};

std::string describe(const Sent& sent);

// The value of one label of fwknopd's dump, or "<missing LABEL>".
std::string field(const OracleVerdict& verdict, const std::string& label);

// fwknopd's dump shows the message libsesame encoded; `packet` is libsesame's decode of the same payload.
void expect_fwknopd_read(const OracleVerdict& verdict, const spa::Message& message, const spa::DecodedPacket& packet);

// One stanza per packet, each with its own keys, all in one access.conf and one oracle call (NAT enabled):
// packet i must be accepted by stanza i+1 with the fields it was encoded with.
void expect_each_accepted_by_its_stanza(const std::vector<Sent>& sent);

}  // namespace sesame::test
