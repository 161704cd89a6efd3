// SPDX-License-Identifier: GPL-2.0-or-later
// Packets with random field values and random keys: libsesame decodes what it encoded, and the real fwknopd
// accepts them and reads the same fields. The seed is printed; SESAME_INTEROP_SEED=N replays a run.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fwknopd_oracle.h"
#include "oracle_cases.h"
#include "spa/packet_codec.h"

namespace sesame::test {
namespace {

using spa::DigestType;
using spa::EncryptionMode;
using spa::Message;
using spa::MessageType;

std::uint32_t seed() {
  if (const char* env = std::getenv("SESAME_INTEROP_SEED"); env != nullptr && *env != '\0')
    return std::uint32_t(std::strtoul(env, nullptr, 10));
  return std::random_device{}();
}

template <class T>
T pick(std::mt19937& rng, std::size_t count, const T* values) {
  return values[std::uniform_int_distribution<std::size_t>(0, count - 1)(rng)];
}

int between(std::mt19937& rng, int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(rng);
}

bool chance(std::mt19937& rng, double p) {
  return std::bernoulli_distribution(p)(rng);
}

constexpr std::string_view kPrintable =
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
// protocol.md §3.1: printable ASCII without " / \ [ ] : ; | = , + * ? < >
constexpr std::string_view kUsernameChars =
    " !#$%&'()-.0123456789@ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz{}~";
constexpr std::string_view kVersionChars =
    " !\"#$%&'()*+,-./0123456789;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
constexpr std::string_view kHostChars = "abcdefghijklmnopqrstuvwxyz0123456789-.";

std::string random_ip(std::mt19937& rng) {
  return std::to_string(between(rng, 1, 254)) + "." + std::to_string(between(rng, 0, 255)) + "." +
         std::to_string(between(rng, 0, 255)) + "." + std::to_string(between(rng, 1, 254));
}

std::string random_port(std::mt19937& rng) {
  return std::to_string(between(rng, 1, 65535));
}

// Any message libsesame's encoder takes. `for_fwknopd` keeps NAT hosts to IPv4 addresses: fwknopd would try to
// resolve a name (ENABLE_NAT_DNS), and the oracle's network namespace has no DNS.
Message random_message(std::mt19937& rng, bool for_fwknopd) {
  Message m;
  m.random_value = random_string(rng, "0123456789", 16, 16);
  m.username = random_string(rng, kUsernameChars, 1, 48);
  m.timestamp = std::uniform_int_distribution<std::uint32_t>(0, spa::kMaxTimestamp)(rng);
  if (chance(rng, 0.2)) m.version = random_string(rng, kVersionChars, 1, 8);
  m.type = pick(rng, std::size(kAllMessageTypes), kAllMessageTypes);
  m.digest_type = pick(rng, std::size(kAllDigests), kAllDigests);
  const std::string ip = random_ip(rng);
  const bool nat = spa::has_nat_field(m.type);
  if (m.type == MessageType::kCommand) {
    m.message = ip + "," + random_string(rng, kPrintable, 1, 60);
  } else {
    m.message = ip;
    const int ports = nat ? 1 : between(rng, 1, 4);  // fwknop's client sends NAT requests for one port only
    for (int i = 0; i < ports; ++i) m.message += (chance(rng, 0.5) ? ",tcp/" : ",udp/") + random_port(rng);
  }
  if (nat) {
    const bool name = !for_fwknopd && chance(rng, 0.5);
    m.nat_access = (name ? random_string(rng, kHostChars, 1, 40) : random_ip(rng)) + "," + random_port(rng);
  }
  if (spa::has_client_timeout_field(m.type)) m.client_timeout = std::uint32_t(between(rng, 1, 65536));
  if (chance(rng, 0.25)) m.server_auth = random_string(rng, kPrintable, 1, 63);
  return m;
}

KeySet random_keys(std::mt19937& rng) {
  const EncryptionMode mode = pick(rng, std::size(kAllRijndaelModes), kAllRijndaelModes);
  std::optional<DigestType> hmac;
  if (mode != EncryptionMode::kCbcLegacyIv && chance(rng, 0.8)) hmac = pick(rng, std::size(kAllDigests), kAllDigests);
  return KeySet::random(rng, mode, hmac, chance(rng, 0.5));
}

// Draws messages until one encodes: random lengths overshoot fwknop's 399-character Rijndael limit often
// (kTooLong, protocol.md §11), and fwknopd ignores packets under 140 bytes. Any other encode error fails.
Sent random_packet(std::mt19937& rng, bool for_fwknopd) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    Sent s{random_keys(rng), random_message(rng, for_fwknopd), {}, {}};
    auto wire = spa::encode(s.message, s.keys.keys());
    if (!wire) {
      EXPECT_EQ(wire.error().code, spa::ErrorCode::kTooLong) << wire.error().to_string();
      if (wire.error().code != spa::ErrorCode::kTooLong) return s;
      continue;
    }
    if (for_fwknopd && wire->size() < kFwknopdMinPayload) continue;
    s.wire = std::move(*wire);
    return s;
  }
  ADD_FAILURE() << "no encodable random message in 1000 attempts";
  return {};
}

TEST(RandomRoundTrip, LibsesameDecodesEveryRandomPacketItEncodedToTheSameMessage) {
  const std::uint32_t run_seed = seed();
  SCOPED_TRACE("SESAME_INTEROP_SEED=" + std::to_string(run_seed));
  std::mt19937 rng(run_seed);
  for (int i = 0; i < 400; ++i) {
    const Sent s = random_packet(rng, false);
    ASSERT_FALSE(s.wire.empty());
    SCOPED_TRACE("packet " + std::to_string(i) + ": " + describe(s));
    auto codec = spa::PacketCodec::create(s.keys.keys());
    ASSERT_TRUE(codec) << codec.error().to_string();
    EXPECT_TRUE(codec->authenticate(s.wire));
    const auto decoded = codec->decode(s.wire);
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(decoded->message, s.message);

    // Other keys never decode it: HMAC packets fail their HMAC, the others their decryption checks.
    KeySet other = s.keys;
    (s.keys.hmac ? other.hmac_key : other.key)[0] ^= 1;  // the first byte: legacy mode ignores bytes past 16
    const auto refused = spa::decode(s.wire, other.keys());
    ASSERT_FALSE(refused);
    if (s.keys.hmac) {
      EXPECT_EQ(refused.error().code, spa::ErrorCode::kHmacMismatch);
    }
  }
}

TEST(RandomRoundTrip, FwknopdAcceptsRandomLibsesamePacketsWithTheirFields) {
  std::string why;
  if (!fwknopd_oracle_available(&why)) GTEST_SKIP() << "SKIPPED: " << why;
  const std::uint32_t run_seed = seed();
  SCOPED_TRACE("SESAME_INTEROP_SEED=" + std::to_string(run_seed));
  std::mt19937 rng(run_seed);
  std::vector<Sent> sent;
  for (int i = 0; i < 30; ++i) {
    Sent s = random_packet(rng, true);
    ASSERT_FALSE(s.wire.empty());
    auto decoded = spa::decode(s.wire, s.keys.keys());
    ASSERT_TRUE(decoded) << describe(s) << ": " << decoded.error().to_string();
    s.decoded = std::move(*decoded);
    sent.push_back(std::move(s));
  }
  expect_each_accepted_by_its_stanza(sent);
}

}  // namespace
}  // namespace sesame::test
