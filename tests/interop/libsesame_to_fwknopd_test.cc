// SPDX-License-Identifier: GPL-2.0-or-later
// Packets encoded by libsesame are accepted by the real fwknopd 2.6.x (through the oracle) and read back by it
// with exactly the fields that were encoded; altered or wrongly keyed packets are refused at the right stage.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fwknopd_oracle.h"
#include "oracle_cases.h"
#include "spa/packet_codec.h"
#include "spa/random.h"
#include "support/gpg_home.h"

namespace sesame::test {
namespace {

using spa::DigestType;
using spa::EncryptionMode;
using spa::Message;
using spa::MessageType;

Message base_message(MessageType type, std::size_t n) {
  Message m;
  auto random_value = spa::make_random_value();
  if (random_value) m.random_value = *random_value;
  m.username = "sesame-user-" + std::to_string(n);
  m.timestamp = std::uint32_t(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  m.type = type;
  const std::string ip = "10.20." + std::to_string(n) + "." + std::to_string(100 + n);
  const bool timeout = type == MessageType::kClientTimeoutAccess || type == MessageType::kClientTimeoutNatAccess ||
                       type == MessageType::kClientTimeoutLocalNatAccess;
  switch (type) {
    case MessageType::kCommand:
      m.message = ip + ",uptime";
      break;
    case MessageType::kAccess:
    case MessageType::kClientTimeoutAccess:
      m.message = n % 2 ? ip + ",tcp/22,udp/53,tcp/8443" : ip + ",tcp/22";  // multi-port every other time
      break;
    case MessageType::kNatAccess:
    case MessageType::kClientTimeoutNatAccess:
      m.message = ip + ",tcp/2222";
      m.nat_access = "192.168.1." + std::to_string(n + 2) + ",22";
      break;
    case MessageType::kLocalNatAccess:
    case MessageType::kClientTimeoutLocalNatAccess:
      m.message = ip + ",tcp/22";
      m.nat_access = "127.0.0.1,2" + std::to_string(1000 + n);
      break;
  }
  if (timeout) m.client_timeout = std::uint32_t(30 + n);
  return m;
}

class LibsesameToFwknopd : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!fwknopd_oracle_available(&why)) GTEST_SKIP() << "SKIPPED: " << why;
  }
};

TEST_F(LibsesameToFwknopd, EveryModeHmacDigestAndMessageTypeIsAcceptedWithItsFields) {
  std::mt19937 rng(20261126);
  std::vector<Sent> sent;
  std::set<std::string> covered;
  constexpr std::size_t kPackets = 42;
  for (std::size_t i = 0; i < kPackets; ++i) {
    // Periods 6, 8, 7 and 7 (types shifted every 7): each value of each dimension meets varied others.
    const EncryptionMode mode = kAllRijndaelModes[i % std::size(kAllRijndaelModes)];
    const std::size_t hmac_index = i % (std::size(kAllDigests) + 1);
    std::optional<DigestType> hmac;
    if (hmac_index > 0 && mode != EncryptionMode::kCbcLegacyIv) hmac = kAllDigests[hmac_index - 1];
    const DigestType digest = kAllDigests[i % std::size(kAllDigests)];
    const MessageType type = kAllMessageTypes[(i + i / std::size(kAllMessageTypes)) % std::size(kAllMessageTypes)];
    Sent s{KeySet::random(rng, mode, hmac, (i / 2) % 2 == 1), base_message(type, i), {}, {}};
    s.message.digest_type = digest;
    covered.insert({std::string("M") + numbered(mode), std::string("H") + (hmac ? config_name(*hmac) : "none"),
                    std::string("D") + config_name(digest), std::string("T") + numbered(type),
                    s.keys.base64 ? "base64" : "text",
                    s.message.message.find("udp/53") != std::string::npos ? "multi" : "single"});
    auto wire = spa::encode(s.message, s.keys.keys());
    ASSERT_TRUE(wire) << describe(s) << ": " << wire.error().to_string();
    s.wire = *wire;
    ASSERT_GE(s.wire.size(), kFwknopdMinPayload) << describe(s);
    auto decoded = spa::decode(s.wire, s.keys.keys());
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    ASSERT_EQ(decoded->message, s.message);
    s.decoded = std::move(*decoded);
    sent.push_back(std::move(s));
  }
  ASSERT_EQ(covered.size(), std::size(kAllRijndaelModes) + std::size(kAllDigests) + 1 + std::size(kAllDigests) +
                                std::size(kAllMessageTypes) + 2 + 2);
  expect_each_accepted_by_its_stanza(sent);
}

// Replaces the base64 character at `index` by another one.
std::string altered(std::string wire, std::size_t index) {
  wire[index] = wire[index] == 'A' ? 'B' : 'A';
  return wire;
}

// Flips the lowest bit of the last base64 character. When that character holds 2 padding bits (an unpadded
// 32-byte HMAC: 43 characters, 258 bits), this changes no bit of the HMAC bytes, only their text.
std::string padding_bit_flipped(std::string wire) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  wire.back() = kAlphabet[kAlphabet.find(wire.back()) ^ 1];
  return wire;
}

TEST_F(LibsesameToFwknopd, AlteredOrWronglyKeyedHmacPacketsAreRefused) {
  std::mt19937 rng(7);
  const KeySet right = KeySet::random(rng, EncryptionMode::kCbc, DigestType::kSha256, false);
  KeySet wrong_key = right;
  wrong_key.key = "a different encryption key";
  KeySet wrong_hmac_key = right;
  wrong_hmac_key.hmac_key = "a different HMAC key";
  const Message m = base_message(MessageType::kAccess, 1);
  auto encode = [&](const KeySet& keys) {
    auto wire = spa::encode(m, keys.keys());
    return wire ? *wire : std::string();
  };
  const std::string good = encode(right);
  ASSERT_FALSE(good.empty());
  const std::size_t tag = good.size() - 43;  // an unpadded base64 SHA256 HMAC is 43 characters
  struct Case {
    const char* what;
    std::string wire;
    OracleOutcome outcome;
    spa::ErrorCode error;
  };
  const std::vector<Case> cases{
      {"HMAC character changed", altered(good, tag + 20), OracleOutcome::kHmacFailed, spa::ErrorCode::kHmacMismatch},
      // Same HMAC bytes, different text: fwknop compares the base64 text, so it refuses this too.
      {"HMAC padding bit changed", padding_bit_flipped(good), OracleOutcome::kHmacFailed,
       spa::ErrorCode::kHmacMismatch},
      {"ciphertext character changed", altered(good, 30), OracleOutcome::kHmacFailed, spa::ErrorCode::kHmacMismatch},
      {"wrong HMAC key", encode(wrong_hmac_key), OracleOutcome::kHmacFailed, spa::ErrorCode::kHmacMismatch},
      {"wrong encryption key", encode(wrong_key), OracleOutcome::kDecryptFailed, spa::ErrorCode::kDecryptionFailed},
  };
  std::vector<std::string> payloads{good};
  for (const Case& c : cases) {
    ASSERT_EQ(c.wire.size(), good.size()) << c.what;
    ASSERT_NE(c.wire, good) << c.what;
    payloads.push_back(c.wire);
  }
  const auto verdicts = run_fwknopd_oracle(payloads, right.stanza(), OracleOptions{});
  ASSERT_EQ(verdicts.size(), payloads.size());
  EXPECT_TRUE(verdicts[0].accepted) << verdicts[0].detail << "\n" << verdicts[0].log;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].what);
    const OracleVerdict& v = verdicts[i + 1];
    EXPECT_FALSE(v.decoded) << v.log;
    EXPECT_EQ(v.outcome, cases[i].outcome) << to_string(v.outcome) << ": " << v.detail << "\n" << v.log;
    const auto decoded = spa::decode(cases[i].wire, right.keys());
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, cases[i].error) << decoded.error().to_string();
  }
}

// sesame's IPv6 allow address (docs/compat.md): fwknopd 2.6 must refuse it as a bad message, never grant some
// other address. The same keys and stanza accept the IPv4 twin of the packet.
TEST_F(LibsesameToFwknopd, Ipv6AllowAddressIsRefusedCleanlyByFwknopd) {
  std::mt19937 rng(9);
  const KeySet keys = KeySet::random(rng, EncryptionMode::kCbc, DigestType::kSha256, false);
  std::vector<std::string> payloads;
  for (const char* message : {"10.20.30.40,tcp/22", "2001:db8::5,tcp/22", "fd00::2,tcp/22,udp/53"}) {
    Message m = base_message(MessageType::kAccess, 3);
    m.message = message;
    const auto wire = spa::encode(m, keys.keys());
    ASSERT_TRUE(wire) << message << ": " << wire.error().to_string();
    const auto decoded = spa::decode(*wire, keys.keys());
    ASSERT_TRUE(decoded) << message;
    EXPECT_EQ(decoded->message.message, message);  // libsesame reads it back as it is
    payloads.push_back(*wire);
  }
  const auto verdicts = run_fwknopd_oracle(payloads, keys.stanza(), OracleOptions{});
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_TRUE(verdicts[0].accepted) << verdicts[0].detail << "\n" << verdicts[0].log;
  for (std::size_t i = 1; i < verdicts.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_FALSE(verdicts[i].accepted) << verdicts[i].log;
    EXPECT_EQ(verdicts[i].outcome, OracleOutcome::kDecodeFailed)
        << to_string(verdicts[i].outcome) << ": " << verdicts[i].detail << "\n"
        << verdicts[i].log;
    EXPECT_NE(verdicts[i].detail.find("DECODE_ACCESS_VALIDFAIL"), std::string::npos) << verdicts[i].detail;
  }
}

TEST_F(LibsesameToFwknopd, WronglyKeyedPacketWithoutHmacIsRefusedAndPacketsUnder140BytesAreIgnored) {
  std::mt19937 rng(8);
  const KeySet right = KeySet::random(rng, EncryptionMode::kCbc, std::nullopt, true);
  KeySet wrong = right;
  wrong.key = "some other key";
  const Message m = base_message(MessageType::kAccess, 2);
  auto good = spa::encode(m, right.keys());
  auto bad = spa::encode(m, wrong.keys());
  // protocol.md §11 and §17.6: without HMAC, with an MD5 inner digest and a short message, a packet is exactly
  // at fwknopd's 140-byte floor (81 plaintext bytes with a 10-digit timestamp) and is accepted; a shorter field
  // (a 4-digit timestamp: 75 bytes, one AES block less, 118 on the wire) falls below it and fwknopd ignores the
  // packet. Aging is off for the oracle's pcap input, so the old timestamp is no reason to refuse it.
  Message tiny = m;
  tiny.username = "u";
  tiny.message = "1.2.3.4,tcp/1";
  tiny.digest_type = DigestType::kMd5;
  tiny.timestamp = 1795652300;
  auto at_floor = spa::encode(tiny, right.keys());
  tiny.timestamp = 1000;
  auto below_floor = spa::encode(tiny, right.keys());
  ASSERT_TRUE(good && bad && at_floor && below_floor);
  ASSERT_EQ(at_floor->size(), kFwknopdMinPayload);
  ASSERT_LT(below_floor->size(), kFwknopdMinPayload);
  ASSERT_TRUE(spa::decode(*below_floor, right.keys()));  // libsesame itself has no such floor

  const auto verdicts = run_fwknopd_oracle({*good, *bad, *at_floor, *below_floor}, right.stanza(), OracleOptions{});
  ASSERT_EQ(verdicts.size(), 4u);
  EXPECT_TRUE(verdicts[0].accepted) << verdicts[0].detail << "\n" << verdicts[0].log;
  EXPECT_EQ(verdicts[1].outcome, OracleOutcome::kDecryptFailed) << verdicts[1].detail << "\n" << verdicts[1].log;
  EXPECT_TRUE(verdicts[2].accepted) << verdicts[2].detail << "\n" << verdicts[2].log;
  EXPECT_EQ(verdicts[3].outcome, OracleOutcome::kIgnored) << verdicts[3].log;
  const auto refused = spa::decode(*bad, right.keys());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, spa::ErrorCode::kDecryptionFailed) << refused.error().to_string();
}

using LibsesameGpgToFwknopd = SharedGpgHome<LibsesameToFwknopd>;

TEST_F(LibsesameGpgToFwknopd, SignedGpgPacketWithHmacIsAcceptedAndUnsignedOneRefused) {
  const std::string hmac_key = "gpg stanza hmac key";
  spa::Keys keys;
  keys.encryption_type = spa::EncryptionType::kGpg;
  keys.mode = EncryptionMode::kAsymmetric;
  keys.gpg_encrypt.home_dir = home();
  keys.gpg_encrypt.recipient = kGpgServerKeyId;
  keys.gpg_encrypt.signer = kGpgSignerKeyId;
  keys.hmac_key = SecretBytes::from_text(hmac_key);
  keys.hmac_type = DigestType::kSha512;
  spa::Keys unsigned_keys = keys.clone();
  unsigned_keys.gpg_encrypt.signer.clear();

  Message m = base_message(MessageType::kClientTimeoutNatAccess, 3);
  m.digest_type = DigestType::kSha3_256;
  const auto signed_wire = spa::encode(m, keys);
  ASSERT_TRUE(signed_wire) << signed_wire.error().to_string();
  const auto unsigned_wire = spa::encode(m, unsigned_keys);
  ASSERT_TRUE(unsigned_wire) << unsigned_wire.error().to_string();

  spa::Keys decode_keys = keys.clone();
  decode_keys.gpg_decrypt.home_dir = home();
  decode_keys.gpg_decrypt.allow_no_passphrase = true;
  const auto decoded = spa::decode(*signed_wire, decode_keys);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->message, m);

  const std::string access_conf = "SOURCE ANY\nGPG_HOME_DIR " + home() + "\nGPG_ALLOW_NO_PW Y\nGPG_DECRYPT_ID " +
                                  kGpgServerKeyId + "\nGPG_REMOTE_ID " + kGpgSignerShortId + "\nHMAC_KEY " + hmac_key +
                                  "\nHMAC_DIGEST_TYPE sha512\n";
  const auto verdicts = run_fwknopd_oracle({*signed_wire, *unsigned_wire}, access_conf, kNatEnabledConf);
  ASSERT_EQ(verdicts.size(), 2u);
  const OracleVerdict& v = verdicts[0];
  EXPECT_TRUE(v.accepted) << to_string(v.outcome) << ": " << v.detail << "\n" << v.log;
  EXPECT_EQ(field(v, "Encryption Type"), "2 (GPG)");
  EXPECT_EQ(field(v, "HMAC Type"), "5 (SHA512)");
  EXPECT_EQ(field(v, "GPG sig ID"), kGpgSignerShortId);
  EXPECT_EQ(field(v, "GPG sig fpr"), kGpgSignerFingerprint);
  expect_fwknopd_read(v, m, *decoded);
  // GPG_REQUIRE_SIG is on by default: an unsigned packet decrypts but is refused.
  EXPECT_FALSE(verdicts[1].accepted);
  EXPECT_EQ(verdicts[1].outcome, OracleOutcome::kDenied) << verdicts[1].detail << "\n" << verdicts[1].log;
}

}  // namespace
}  // namespace sesame::test
