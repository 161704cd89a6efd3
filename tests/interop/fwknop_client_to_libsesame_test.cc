// SPDX-License-Identifier: GPL-2.0-or-later
// Packets built by the real fwknop 2.6.x client decode with libsesame to exactly the fields the client was given.
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "fwknop_client.h"
#include "oracle_cases.h"
#include "spa/base64.h"
#include "spa/field_rules.h"
#include "spa/packet_codec.h"
#include "support/gpg_home.h"

namespace sesame::test {
namespace {

using spa::DigestType;
using spa::EncryptionMode;
using spa::MessageType;

struct ModeName {
  EncryptionMode mode;
  const char* option;  // as -M takes it
};
constexpr ModeName kModes[] = {
    {EncryptionMode::kCbc, "cbc"}, {EncryptionMode::kEcb, "ecb"}, {EncryptionMode::kCfb, "cfb"},
    {EncryptionMode::kOfb, "ofb"}, {EncryptionMode::kCtr, "ctr"}, {EncryptionMode::kCbcLegacyIv, "legacy"},
};

// The client options that choose the message type (client.md §2, "Message type selection").
enum class Kind { kAccess, kMultiPort, kCommand, kTimeout, kNat, kNatTimeout, kNatLocal, kNatLocalTimeout };
constexpr Kind kKinds[] = {Kind::kAccess, Kind::kMultiPort,  Kind::kCommand,  Kind::kTimeout,
                           Kind::kNat,    Kind::kNatTimeout, Kind::kNatLocal, Kind::kNatLocalTimeout};

struct Expected {
  MessageType type = MessageType::kAccess;
  std::string message;
  std::optional<std::string> nat_access;
  std::uint32_t client_timeout = 0;
};

// Appends the options for `kind` and returns what the packet must then carry.
Expected add_message_options(Kind kind, const std::string& allow_ip, std::vector<std::string>& args) {
  args.insert(args.end(), {"-a", allow_ip});
  switch (kind) {
    case Kind::kAccess:
      args.insert(args.end(), {"-A", "tcp/22"});
      return {MessageType::kAccess, allow_ip + ",tcp/22", std::nullopt, 0};
    case Kind::kMultiPort:
      args.insert(args.end(), {"-A", "tcp/22,udp/53,tcp/8443"});
      return {MessageType::kAccess, allow_ip + ",tcp/22,udp/53,tcp/8443", std::nullopt, 0};
    case Kind::kCommand:
      args.insert(args.end(), {"-C", "uptime"});
      return {MessageType::kCommand, allow_ip + ",uptime", std::nullopt, 0};
    case Kind::kTimeout:
      args.insert(args.end(), {"-A", "udp/1194", "-f", "30"});
      return {MessageType::kClientTimeoutAccess, allow_ip + ",udp/1194", std::nullopt, 30};
    case Kind::kNat:
      args.insert(args.end(), {"-A", "tcp/2222", "-N", "192.168.1.2:22"});  // ':' becomes ','
      return {MessageType::kNatAccess, allow_ip + ",tcp/2222", "192.168.1.2,22", 0};
    case Kind::kNatTimeout:
      args.insert(args.end(), {"-A", "tcp/2222", "-N", "192.168.1.2,22", "-f", "45"});
      return {MessageType::kClientTimeoutNatAccess, allow_ip + ",tcp/2222", "192.168.1.2,22", 45};
    case Kind::kNatLocal:  // the NAT string is <-D value>,<-A port>
      args.insert(args.end(), {"-A", "tcp/22", "--nat-local", "-D", "10.0.0.5"});
      return {MessageType::kLocalNatAccess, allow_ip + ",tcp/22", "10.0.0.5,22", 0};
    case Kind::kNatLocalTimeout:
      args.insert(args.end(), {"-A", "tcp/5900", "--nat-local", "-D", "10.0.0.6", "-f", "65536"});
      return {MessageType::kClientTimeoutLocalNatAccess, allow_ip + ",tcp/5900", "10.0.0.6,5900", 65536};
  }
  return {};
}

// Printable, space included: the client takes key options verbatim from argv.
constexpr std::string_view kClientKeyChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()*+,-./:;<=>?@[]^_{|}~";

std::vector<std::uint8_t> random_bytes(std::mt19937& rng, std::size_t min_size, std::size_t max_size) {
  std::uniform_int_distribution<std::size_t> size(min_size, max_size);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> bytes(size(rng));
  for (auto& b : bytes) b = std::uint8_t(byte(rng));
  return bytes;
}

struct ClientCase {
  const ModeName* mode;
  const DigestType* hmac;  // null: no HMAC
  const DigestType* digest;
  Kind kind;
  bool base64_keys;
};

std::string describe(const ClientCase& c) {
  return std::string("mode=") + c.mode->option + " hmac=" + (c.hmac ? config_name(*c.hmac) : "none") +
         " digest=" + config_name(*c.digest) + " kind=" + std::to_string(int(c.kind)) +
         (c.base64_keys ? " base64 keys" : " text keys");
}

// Each dimension is rotated with its own period (6 modes, 8 HMAC choices, 7 digests, 8 kinds), so every value
// of every dimension occurs several times, each time next to different values of the others.
std::vector<ClientCase> rotated_cases(std::size_t count) {
  std::vector<ClientCase> cases;
  for (std::size_t i = 0; i < count; ++i) {
    ClientCase c;
    c.mode = &kModes[i % std::size(kModes)];
    const std::size_t hmac = i % (std::size(kAllDigests) + 1);
    // legacy mode and HMAC exclude each other (client.md §2): legacy packets are the pre-2.5 kind.
    c.hmac = hmac == 0 || c.mode->mode == EncryptionMode::kCbcLegacyIv ? nullptr : &kAllDigests[hmac - 1];
    c.digest = &kAllDigests[i % std::size(kAllDigests)];
    c.kind = kKinds[(i + i / std::size(kKinds)) % std::size(kKinds)];
    c.base64_keys = (i / 3) % 2 == 1;
    cases.push_back(c);
  }
  return cases;
}

void expect_matches_client_dump(const spa::DecodedPacket& packet, const FwknopClientRun& run) {
  const spa::Message& m = packet.message;
  EXPECT_EQ(m.random_value, run.fields.at("Random Value"));
  EXPECT_EQ(std::to_string(m.timestamp), run.fields.at("Timestamp"));
  EXPECT_EQ(m.version, run.fields.at("FKO Version"));
  EXPECT_EQ(numbered(m.type), run.fields.at("Message Type"));
  EXPECT_EQ(packet.encoded, run.fields.at("Encoded Data"));
  EXPECT_EQ(packet.digest, run.fields.at("SPA Data Digest"));
}

// The client's packet for `args` plus --key-rijndael k (and --key-hmac `hmac_key`), as libsesame decodes it with
// those keys; nullopt, with the reason as a test failure, when the client or the decoding fails.
std::optional<spa::DecodedPacket> decode_client_packet(std::vector<std::string> args,
                                                       const std::optional<std::string>& hmac_key = std::nullopt) {
  spa::Keys keys;
  keys.encryption_key = SecretBytes::from_text("k");
  args.insert(args.end(), {"--key-rijndael", "k"});
  if (hmac_key) {
    keys.hmac_key = SecretBytes::from_text(*hmac_key);
    args.insert(args.end(), {"--key-hmac", *hmac_key});
  }
  const FwknopClientRun run = run_fwknop_client(args);
  EXPECT_EQ(run.exit_status, 0) << run.output;
  auto packet = spa::decode(run.packet, keys);
  if (!packet) {
    ADD_FAILURE() << packet.error().to_string() << "\n" << run.output;
    return std::nullopt;
  }
  return std::move(*packet);
}

class FwknopClientToLibsesame : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!fwknop_client_available(&why)) GTEST_SKIP() << "SKIPPED: " << why;
  }
};

TEST_F(FwknopClientToLibsesame, EveryModeHmacDigestAndMessageTypeDecodesToTheClientsFields) {
  const std::vector<ClientCase> cases = rotated_cases(56);
  std::set<std::string> covered;
  for (const ClientCase& c : cases) {
    covered.insert({std::string("M") + c.mode->option, std::string("H") + (c.hmac ? config_name(*c.hmac) : "none"),
                    std::string("D") + config_name(*c.digest), "K" + std::to_string(int(c.kind)),
                    c.base64_keys ? "base64" : "text"});
  }
  ASSERT_EQ(covered.size(),
            std::size(kModes) + std::size(kAllDigests) + 1 + std::size(kAllDigests) + std::size(kKinds) + 2);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const ClientCase& c = cases[i];
    SCOPED_TRACE("case " + std::to_string(i) + ": " + describe(c));
    std::mt19937 rng(std::uint32_t(1000 + i));

    spa::Keys keys;
    keys.mode = c.mode->mode;
    std::vector<std::string> args;
    const std::string user = "user" + std::to_string(i) + (i % 2 ? "-x.y" : "_Z");
    const std::string allow_ip = "10." + std::to_string(i) + ".3." + std::to_string(200 - i);
    args.insert(args.end(), {"-U", user, "-m", config_name(*c.digest), "-M", c.mode->option});
    const Expected expected = add_message_options(c.kind, allow_ip, args);
    // Keys up to 32 bytes; legacy mode keeps only the first 16 (protocol.md §4.1), so longer ones test that too.
    if (c.base64_keys) {
      const auto key = random_bytes(rng, 1, 32);
      keys.encryption_key = SecretBytes(key);
      args.insert(args.end(), {"--key-base64-rijndael", spa::base64_encode_padded(key)});
    } else {
      const std::string key = random_string(rng, kClientKeyChars, 1, 32);
      keys.encryption_key = SecretBytes::from_text(key);
      args.insert(args.end(), {"--key-rijndael", key});
    }
    if (c.hmac != nullptr) {
      keys.hmac_type = *c.hmac;
      args.insert(args.end(), {"--hmac-digest-type", config_name(*c.hmac)});
      if (c.base64_keys) {
        const auto key = random_bytes(rng, 1, 128);
        keys.hmac_key = SecretBytes(key);
        args.insert(args.end(), {"--key-base64-hmac", spa::base64_encode_padded(key)});
      } else {
        const std::string key = random_string(rng, kClientKeyChars, 1, 128);
        keys.hmac_key = SecretBytes::from_text(key);
        args.insert(args.end(), {"--key-hmac", key});
      }
    }

    const FwknopClientRun run = run_fwknop_client(args);
    ASSERT_EQ(run.exit_status, 0) << run.output;
    ASSERT_FALSE(run.packet.empty()) << run.output;
    ASSERT_EQ(run.fields.count("Final SPA Data"), 1u) << run.output;
    EXPECT_EQ(run.packet, run.fields.at("Final SPA Data"));

    const auto packet = spa::decode(run.packet, keys);
    ASSERT_TRUE(packet) << packet.error().to_string() << "\n" << run.output;
    const spa::Message& m = packet->message;
    EXPECT_EQ(m.username, user);
    EXPECT_EQ(m.type, expected.type);
    EXPECT_EQ(m.message, expected.message);
    EXPECT_EQ(m.nat_access, expected.nat_access);
    EXPECT_EQ(m.client_timeout, expected.client_timeout);
    EXPECT_EQ(m.digest_type, *c.digest);
    EXPECT_EQ(m.server_auth, std::nullopt);
    EXPECT_EQ(m.version, "3.0.0");
    EXPECT_TRUE(packet->salt.has_value());
    expect_matches_client_dump(*packet, run);
    EXPECT_EQ(run.fields.at("Digest Type"), numbered(*c.digest));
    EXPECT_EQ(run.fields.at("HMAC Type"), c.hmac ? numbered(*c.hmac) : std::string("0 (None)"));
    if (c.hmac != nullptr) {
      EXPECT_TRUE(run.packet.ends_with(run.fields.at("HMAC")));
    }

    // The same packet under a different HMAC key (or, without HMAC, a different encryption key) is refused.
    spa::Keys wrong = keys.clone();
    if (c.hmac != nullptr) {
      wrong.hmac_key = SecretBytes::from_text("not the client's HMAC key");
      const auto refused = spa::decode(run.packet, wrong);
      ASSERT_FALSE(refused);
      EXPECT_EQ(refused.error().code, spa::ErrorCode::kHmacMismatch);
    } else {
      wrong.encryption_key = SecretBytes::from_text("not the client's key");
      EXPECT_FALSE(spa::decode(run.packet, wrong));
    }
  }
}

// client.md §2: -U is truncated to 29 characters by the client; libsesame sees what was sent.
TEST_F(FwknopClientToLibsesame, LongSpoofedUsernameArrivesTruncatedTo29Characters) {
  const std::string user = "abcdefghijklmnopqrstuvwxyz0123456789";
  const auto packet = decode_client_packet({"-U", user, "-A", "tcp/22", "-a", "1.2.3.4"}, "h");
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->message.username, user.substr(0, 29));
}

// The real client builds these packets and fwknopd 2.6.10 accepts them, so libsesame must decode them too.
// `-a 001.2.3.4`: the client checks the allow IP with inet_aton, which takes leading zeros (as octal).
TEST_F(FwknopClientToLibsesame, AllowIpWithLeadingZerosDecodesLikeFwknopd) {
  const auto packet = decode_client_packet({"-A", "tcp/22", "-a", "001.2.3.4"});
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->message.message, "001.2.3.4,tcp/22");
  EXPECT_EQ(spa::parse_allow_ip("001.2.3.4"), 0x01020304u);
  EXPECT_EQ(spa::parse_allow_ip("010.1.1.1"), 0x08010101u);  // octal, as fwknopd reads it
}

// `--nat-local` without -D (possible with -T): the NAT string is ",22". libfko's NAT check allows an empty host.
TEST_F(FwknopClientToLibsesame, LocalNatWithEmptyHostDecodesLikeFwknopd) {
  const auto packet = decode_client_packet({"-A", "tcp/22", "-a", "1.2.3.4", "--nat-local"});
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->message.nat_access, ",22");
}

using FwknopClientGpgToLibsesame = SharedGpgHome<FwknopClientToLibsesame>;

TEST_F(FwknopClientGpgToLibsesame, SignedGpgPacketDecodesWithGoodSignatureWithAndWithoutHmac) {
  for (const bool with_hmac : {false, true}) {
    SCOPED_TRACE(with_hmac ? "with HMAC" : "without HMAC");
    std::vector<std::string> args{"-U",
                                  "gpguser",
                                  "-A",
                                  "tcp/443",
                                  "-a",
                                  "172.16.5.4",
                                  "-m",
                                  with_hmac ? "sha384" : "sha1",
                                  "--gpg-recipient-key",
                                  kGpgServerKeyId,
                                  "--gpg-signer-key",
                                  kGpgSignerKeyId,
                                  "--gpg-home-dir",
                                  home(),
                                  "--gpg-no-signing-pw"};
    spa::Keys keys;
    keys.encryption_type = spa::EncryptionType::kGpg;
    keys.mode = EncryptionMode::kAsymmetric;
    keys.gpg_decrypt.home_dir = home();
    keys.gpg_decrypt.allow_no_passphrase = true;
    if (with_hmac) {
      args.insert(args.end(), {"--key-hmac", "gpg-hmac-key", "--hmac-digest-type", "sha512"});
      keys.hmac_key = SecretBytes::from_text("gpg-hmac-key");
      keys.hmac_type = DigestType::kSha512;
    }

    const FwknopClientRun run = run_fwknop_client(args);
    ASSERT_EQ(run.exit_status, 0) << run.output;
    ASSERT_FALSE(run.packet.empty()) << run.output;
    const auto packet = spa::decode(run.packet, keys);
    ASSERT_TRUE(packet) << packet.error().to_string() << "\n" << run.output;
    EXPECT_EQ(packet->message.username, "gpguser");
    EXPECT_EQ(packet->message.type, MessageType::kAccess);
    EXPECT_EQ(packet->message.message, "172.16.5.4,tcp/443");
    EXPECT_EQ(packet->message.digest_type, with_hmac ? DigestType::kSha384 : DigestType::kSha1);
    EXPECT_FALSE(packet->salt.has_value());
    expect_matches_client_dump(*packet, run);
    const spa::GpgSignature& sig = packet->gpg_signature;
    EXPECT_TRUE(sig.present);
    EXPECT_TRUE(sig.good) << sig.status_text << ", validity " << sig.validity;
    EXPECT_EQ(sig.id, kGpgSignerShortId);
    EXPECT_EQ(sig.fingerprint, kGpgSignerFingerprint);
  }
}

}  // namespace
}  // namespace sesame::test
