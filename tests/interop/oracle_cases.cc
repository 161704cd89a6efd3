// SPDX-License-Identifier: GPL-2.0-or-later
// Key sets, names and fwknopd-dump checks shared by the libsesame -> fwknopd tests.
#include "oracle_cases.h"

#include <cctype>

#include <gtest/gtest.h>

#include "spa/base64.h"

namespace sesame::test {
namespace {

using spa::DigestType;
using spa::EncryptionMode;
using spa::MessageType;

// The names fwknop prints are libsesame's own (spa/types.h): fwknopd's and the client's dumps check them.
template <class Enum>
std::string numbered_name(Enum value, std::string_view name) {
  return std::to_string(int(value)) + " (" + std::string(name) + ")";
}

// access.conf values end at ';' and are trimmed, so text keys hold neither ';' nor blanks ('#' only to be safe).
constexpr std::string_view kConfigKeyChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$%&()*+,-./:<=>?@[]^_{|}~";

std::string random_bytes(std::mt19937& rng, std::size_t min_size, std::size_t max_size) {
  std::uniform_int_distribution<std::size_t> size(min_size, max_size);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(size(rng), '\0');
  for (char& b : bytes) b = char(byte(rng));
  return bytes;
}

std::string base64_of(const std::string& raw) {
  return spa::base64_encode_padded({reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()});
}

}  // namespace

std::string config_name(DigestType type) {
  std::string name(spa::digest_name(type));  // "SHA3_256" -> "sha3_256"
  for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string numbered(DigestType type) {
  return numbered_name(type, spa::digest_name(type));
}
std::string numbered(EncryptionMode mode) {
  return numbered_name(mode, spa::encryption_mode_name(mode));
}
std::string numbered(MessageType type) {
  return numbered_name(type, spa::message_type_name(type));
}

std::string random_string(std::mt19937& rng, std::string_view alphabet, std::size_t min_size, std::size_t max_size) {
  std::uniform_int_distribution<std::size_t> size(min_size, max_size);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string text(size(rng), ' ');
  for (char& c : text) c = alphabet[pick(rng)];
  return text;
}

KeySet KeySet::random(std::mt19937& rng, EncryptionMode mode, std::optional<DigestType> hmac, bool base64) {
  KeySet set{mode, hmac, base64, {}, {}};
  auto make = [&](std::size_t max) {
    return base64 ? random_bytes(rng, 1, max) : random_string(rng, kConfigKeyChars, 1, max);
  };
  set.key = make(32);
  if (hmac) set.hmac_key = make(128);
  return set;
}

spa::Keys KeySet::keys() const {
  spa::Keys keys;
  keys.mode = mode;
  keys.encryption_key = SecretBytes::from_text(key);
  if (hmac) {
    keys.hmac_key = SecretBytes::from_text(hmac_key);
    keys.hmac_type = *hmac;
  }
  return keys;
}

std::string KeySet::stanza() const {
  std::string text = "SOURCE ANY\n";
  text += base64 ? "KEY_BASE64 " + base64_of(key) + "\n" : "KEY " + key + "\n";
  text += "ENCRYPTION_MODE " + std::string(spa::encryption_mode_name(mode)) + "\n";
  if (hmac) {
    text += base64 ? "HMAC_KEY_BASE64 " + base64_of(hmac_key) + "\n" : "HMAC_KEY " + hmac_key + "\n";
    text += std::string("HMAC_DIGEST_TYPE ") + config_name(*hmac) + "\n";
  }
  text += "ENABLE_CMD_EXEC Y\n\n";
  return text;
}

std::string describe(const Sent& s) {
  return "mode=" + std::string(spa::encryption_mode_name(s.keys.mode)) +
         " hmac=" + (s.keys.hmac ? config_name(*s.keys.hmac) : "none") +
         " digest=" + config_name(s.message.digest_type) +
         " type=" + std::string(spa::message_type_name(s.message.type)) +
         (s.keys.base64 ? " base64 keys" : " text keys") + " wire=" + std::to_string(s.wire.size()) + " bytes";
}

std::string field(const OracleVerdict& verdict, const std::string& label) {
  const auto it = verdict.fields.find(label);
  return it == verdict.fields.end() ? "<missing " + label + ">" : it->second;
}

void expect_fwknopd_read(const OracleVerdict& verdict, const spa::Message& m, const spa::DecodedPacket& packet) {
  EXPECT_EQ(field(verdict, "Random Value"), m.random_value);
  EXPECT_EQ(field(verdict, "Username"), m.username);
  EXPECT_EQ(field(verdict, "Timestamp"), std::to_string(m.timestamp));
  EXPECT_EQ(field(verdict, "FKO Version"), m.version);
  EXPECT_EQ(field(verdict, "Message Type"), numbered(m.type));
  EXPECT_EQ(field(verdict, "Message String"), m.message);
  EXPECT_EQ(field(verdict, "Nat Access"), m.nat_access.value_or("<NULL>"));
  EXPECT_EQ(field(verdict, "Server Auth"), m.server_auth.value_or("<NULL>"));
  EXPECT_EQ(field(verdict, "Client Timeout"), std::to_string(m.client_timeout));
  EXPECT_EQ(field(verdict, "Digest Type"), numbered(m.digest_type));
  EXPECT_EQ(field(verdict, "Encoded Data"), packet.encoded);
  EXPECT_EQ(field(verdict, "SPA Data Digest"), packet.digest);
}

void expect_each_accepted_by_its_stanza(const std::vector<Sent>& sent) {
  std::vector<std::string> payloads;
  std::string access_conf;
  for (const Sent& s : sent) {
    payloads.push_back(s.wire);
    access_conf += s.keys.stanza();
  }
  const std::vector<OracleVerdict> verdicts = run_fwknopd_oracle(payloads, access_conf, kNatEnabledConf);
  ASSERT_EQ(verdicts.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    SCOPED_TRACE("packet " + std::to_string(i) + ": " + describe(sent[i]));
    const OracleVerdict& v = verdicts[i];
    EXPECT_TRUE(v.accepted) << to_string(v.outcome) << ": " << v.detail << "\n" << v.log;
    EXPECT_EQ(v.stanza, int(i + 1)) << v.detail;
    EXPECT_EQ(field(v, "HMAC Type"), sent[i].keys.hmac ? numbered(*sent[i].keys.hmac) : "0 (None)");
    EXPECT_EQ(field(v, "Encryption Mode"), numbered(sent[i].keys.mode));
    expect_fwknopd_read(v, sent[i].message, sent[i].decoded);
  }
}

}  // namespace sesame::test
