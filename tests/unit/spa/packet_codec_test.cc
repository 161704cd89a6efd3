// SPDX-License-Identifier: GPL-2.0-or-later
// The full pipeline (protocol.md §7, §8): randomized round trips over every mode and HMAC type, a mutation and
// junk run that no forged payload survives, and the key, HMAC and prefix rules.
#include "spa/packet_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "spa/base64.h"

namespace sesame::spa {
namespace {

constexpr EncryptionMode kAllModes[] = {EncryptionMode::kEcb, EncryptionMode::kCbc, EncryptionMode::kCfb,
                                        EncryptionMode::kOfb, EncryptionMode::kCtr, EncryptionMode::kCbcLegacyIv};
constexpr DigestType kAllDigests[] = {DigestType::kMd5,     DigestType::kSha1,   DigestType::kSha256,
                                      DigestType::kSha384,  DigestType::kSha512, DigestType::kSha3_256,
                                      DigestType::kSha3_512};
constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr Salt kSalt = {1, 2, 3, 4, 5, 6, 7, 8};

// ---- random inputs, all from one fixed-seed generator so a failure reproduces ---------------------------------

using Rng = std::mt19937;

std::size_t uniform(Rng& rng, std::size_t low, std::size_t high) {
  return std::uniform_int_distribution<std::size_t>(low, high)(rng);
}

bool coin(Rng& rng) {
  return uniform(rng, 0, 1) == 1;
}

template <class T, std::size_t N>
T pick(Rng& rng, const T (&items)[N]) {
  return items[uniform(rng, 0, N - 1)];
}

std::string random_digits(Rng& rng, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += char('0' + uniform(rng, 0, 9));
  return out;
}

// Every character fwknop allows in a username: printable ASCII, space included, minus " / \ [ ] : ; | = , + * ? < >.
std::string username_charset() {
  std::string charset;
  for (char c = 0x20; c <= 0x7e; ++c)
    if (std::string_view("\"/\\[]:;|=,+*?<>").find(c) == std::string_view::npos) charset += c;
  return charset;
}

std::string random_username(Rng& rng) {
  static const std::string charset = username_charset();
  std::string name;
  const std::size_t length = uniform(rng, 1, 12);
  for (std::size_t i = 0; i < length; ++i) name += charset[uniform(rng, 0, charset.size() - 1)];
  return name;
}

std::string random_ip(Rng& rng) {
  return std::to_string(uniform(rng, 0, 255)) + "." + std::to_string(uniform(rng, 0, 255)) + "." +
         std::to_string(uniform(rng, 0, 255)) + "." + std::to_string(uniform(rng, 0, 255));
}

std::string random_port(Rng& rng) {
  return std::to_string(uniform(rng, 1, 65535));
}

std::string random_access(Rng& rng) {
  std::string message = random_ip(rng);
  const std::size_t specs = uniform(rng, 1, 3);
  for (std::size_t i = 0; i < specs; ++i) message += (coin(rng) ? ",tcp/" : ",udp/") + random_port(rng);
  return message;
}

std::string random_printable(Rng& rng, std::size_t low, std::size_t high) {
  std::string text;
  const std::size_t length = uniform(rng, low, high);
  for (std::size_t i = 0; i < length; ++i) text += char(uniform(rng, 0x20, 0x7e));
  return text;
}

std::string random_nat(Rng& rng) {
  const std::string host = coin(rng) ? random_ip(rng) : "host" + std::to_string(uniform(rng, 0, 999)) + ".example";
  return host + "," + random_port(rng);
}

Message random_message(Rng& rng) {
  static constexpr std::string_view kVersions[] = {"3.0.0", "2.0.2", "2.0", "1.9.12"};
  Message m;
  m.random_value = random_digits(rng, 16);
  m.username = random_username(rng);
  m.timestamp = std::uint32_t(uniform(rng, 0, kMaxTimestamp));
  m.version = std::string(pick(rng, kVersions));
  m.type = static_cast<MessageType>(uniform(rng, 0, 6));
  m.message =
      m.type == MessageType::kCommand ? random_ip(rng) + "," + random_printable(rng, 1, 30) : random_access(rng);
  if (has_nat_field(m.type)) m.nat_access = random_nat(rng);
  if (uniform(rng, 0, 3) == 0) {
    std::string auth;  // any bytes but NUL: the field is base64 on the wire
    const std::size_t length = uniform(rng, 1, 16);
    for (std::size_t i = 0; i < length; ++i) auth += char(uniform(rng, 1, 255));
    m.server_auth = auth;
  }
  if (has_client_timeout_field(m.type)) m.client_timeout = std::uint32_t(uniform(rng, 1, kMaxClientTimeout));
  m.digest_type = pick(rng, kAllDigests);
  return m;
}

SecretBytes random_key(Rng& rng, std::size_t low, std::size_t high) {
  SecretBytes key(uniform(rng, low, high));
  for (auto& byte : key.mutable_bytes()) byte = std::uint8_t(uniform(rng, 0, 255));
  return key;
}

Keys random_keys(Rng& rng, EncryptionMode mode, std::optional<DigestType> hmac_type) {
  Keys keys;
  keys.mode = mode;
  keys.encryption_key = random_key(rng, 1, mode == EncryptionMode::kCbcLegacyIv ? 40 : kMaxRijndaelKeySize);
  if (hmac_type) {
    keys.hmac_type = *hmac_type;
    do {
      keys.hmac_key = random_key(rng, 1, kMaxHmacKeySize);
    } while (keys.hmac_key.equals(keys.encryption_key));
  }
  return keys;
}

Keys text_keys(EncryptionMode mode, std::string_view key, std::string_view hmac_key = {},
               DigestType hmac_type = DigestType::kSha256) {
  Keys keys;
  keys.mode = mode;
  keys.encryption_key = SecretBytes::from_text(key);
  keys.hmac_key = SecretBytes::from_text(hmac_key);
  keys.hmac_type = hmac_type;
  return keys;
}

PacketCodec make_codec(const Keys& keys) {
  auto codec = PacketCodec::create(keys);
  EXPECT_TRUE(codec) << codec.error().to_string();
  return std::move(*codec);
}

Message sample_message() {
  Message m;
  m.random_value = "1234567890123456";
  m.username = "root";
  m.timestamp = 1700000000;
  m.message = "1.2.3.4,tcp/22";
  return m;
}

// ---- (a) round trips --------------------------------------------------------------------------------------

TEST(PacketCodec, RandomMessagesRoundTripInEveryModeAndHmacType) {
  Rng rng(20240601);
  std::vector<std::optional<DigestType>> hmac_types = {std::nullopt};
  hmac_types.insert(hmac_types.end(), std::begin(kAllDigests), std::end(kAllDigests));
  int encoded = 0;
  int too_long = 0;
  for (const EncryptionMode mode : kAllModes) {
    for (const auto& hmac_type : hmac_types) {
      int encoded_here = 0;
      for (int i = 0; i < 12; ++i) {
        const Keys keys = random_keys(rng, mode, hmac_type);
        PacketCodec codec = make_codec(keys);
        const Message message = random_message(rng);
        SCOPED_TRACE(testing::Message() << "mode " << static_cast<int>(mode) << " hmac "
                                        << (hmac_type ? static_cast<int>(*hmac_type) : 0) << " case " << i);
        auto wire = codec.encode(message);
        if (!wire) {
          // Too long for fwknop to decrypt (protocol.md §11): refused, never sent.
          EXPECT_EQ(wire.error().code, ErrorCode::kTooLong) << wire.error().to_string();
          ++too_long;
          continue;
        }
        ++encoded;
        ++encoded_here;
        EXPECT_LE(wire->size(), kMaxRijndaelWireSize);
        EXPECT_TRUE(is_base64_text(*wire));
        EXPECT_EQ(wire->find('='), std::string::npos);
        EXPECT_FALSE(wire->starts_with(kRijndaelPrefix));
        auto packet = codec.decode(*wire);
        ASSERT_TRUE(packet) << packet.error().to_string();
        EXPECT_EQ(packet->message, message);
        EXPECT_TRUE(packet->salt.has_value());
        // A second codec built from the same keys (the receiver) decodes it too.
        auto again = decode(*wire, keys);
        ASSERT_TRUE(again) << again.error().to_string();
        EXPECT_EQ(again->message, message);
      }
      EXPECT_GT(encoded_here, 0) << "mode " << static_cast<int>(mode);
    }
  }
  // Most random messages fit; long ones with a big digest and HMAC-SHA512 legitimately do not.
  EXPECT_GE(encoded, 4 * (encoded + too_long) / 5) << encoded << " encoded, " << too_long << " too long";
}

TEST(PacketCodec, EncodeWithFixedSaltIsDeterministicAndDecodesToThatSalt) {
  PacketCodec codec = make_codec(text_keys(EncryptionMode::kCbc, "encryption key", "hmac key"));
  auto first = codec.encode(sample_message(), {kSalt});
  auto second = codec.encode(sample_message(), {kSalt});
  auto other = codec.encode(sample_message(), {Salt{8, 7, 6, 5, 4, 3, 2, 1}});
  ASSERT_TRUE(first && second && other);
  EXPECT_EQ(*first, *second);
  EXPECT_NE(*first, *other);
  EXPECT_EQ(codec.decode(*first)->salt, kSalt);
  // Without a fixed salt every packet differs.
  EXPECT_NE(*codec.encode(sample_message()), *codec.encode(sample_message()));
}

TEST(PacketCodec, EncodeRefusesPacketTooLongForFwknop) {
  PacketCodec codec = make_codec(text_keys(EncryptionMode::kCbc, "key", "hmac key", DigestType::kSha512));
  Message m = sample_message();
  m.type = MessageType::kCommand;
  m.message = "10.1.1.1," + std::string(180, 'c');
  auto wire = codec.encode(m);
  ASSERT_FALSE(wire);
  EXPECT_EQ(wire.error().code, ErrorCode::kTooLong);
}

TEST(PacketCodec, EncodePassesOnMessageErrors) {
  PacketCodec codec = make_codec(text_keys(EncryptionMode::kCbc, "key"));
  Message m = sample_message();
  m.username = "bad:name";
  auto wire = codec.encode(m);
  ASSERT_FALSE(wire);
  EXPECT_EQ(wire.error().code, ErrorCode::kFieldInvalid);
  EXPECT_EQ(wire.error().field, Field::kUsername);
}

// ---- (b) junk and mutations -------------------------------------------------------------------------------

std::string random_base64(Rng& rng) {
  std::string text;
  const std::size_t length = uniform(rng, 0, 1600);
  for (std::size_t i = 0; i < length; ++i) text += kBase64Alphabet[uniform(rng, 0, kBase64Alphabet.size() - 1)];
  if (!text.empty() && coin(rng)) text[uniform(rng, 0, text.size() - 1)] = '=';
  return text;
}

std::string random_binary(Rng& rng) {
  std::string bytes;
  const std::size_t length = uniform(rng, 0, 1600);
  for (std::size_t i = 0; i < length; ++i) bytes += char(uniform(rng, 0, 255));
  return bytes;
}

char random_byte(Rng& rng) {
  // Mostly base64 characters (they get past the charset check), sometimes '=' or any byte.
  switch (uniform(rng, 0, 5)) {
    case 0:
      return '=';
    case 1:
      return char(uniform(rng, 0, 255));
    default:
      return kBase64Alphabet[uniform(rng, 0, kBase64Alphabet.size() - 1)];
  }
}

std::string mutate(Rng& rng, const std::string& original) {
  std::string text = original;
  const std::size_t operations = uniform(rng, 1, 3);
  for (std::size_t op = 0; op < operations; ++op) {
    switch (uniform(rng, 0, 4)) {
      case 0:  // flip
        if (!text.empty()) text[uniform(rng, 0, text.size() - 1)] = random_byte(rng);
        break;
      case 1:  // insertion
        text.insert(text.begin() + std::ptrdiff_t(uniform(rng, 0, text.size())), random_byte(rng));
        break;
      case 2:  // deletion
        if (!text.empty()) text.erase(uniform(rng, 0, text.size() - 1), 1);
        break;
      case 3:  // truncation
        text.resize(uniform(rng, 0, text.size()));
        break;
      default:  // append
        for (std::size_t n = uniform(rng, 1, 4); n > 0; --n) text += random_byte(rng);
        break;
    }
  }
  return text;
}

struct Target {
  PacketCodec codec;
  bool uses_hmac;
  std::vector<std::pair<Message, std::string>> packets;  // valid message and its wire
};

TEST(PacketCodec, NoJunkOrMutatedPayloadIsAccepted) {
  Rng rng(7);
  std::vector<Target> targets;
  for (const EncryptionMode mode : kAllModes) {
    for (const bool uses_hmac : {false, true}) {
      const Keys keys = random_keys(rng, mode, uses_hmac ? std::optional(pick(rng, kAllDigests)) : std::nullopt);
      Target target{make_codec(keys), uses_hmac, {}};
      while (target.packets.size() < 4) {
        const Message message = random_message(rng);
        auto wire = target.codec.encode(message);
        if (wire) target.packets.emplace_back(message, *wire);
      }
      targets.push_back(std::move(target));
    }
  }

  int junk = 0;
  int mutations = 0;
  int harmless_mutations = 0;
  for (int i = 0; i < 10000; ++i) {
    Target& target = targets[uniform(rng, 0, targets.size() - 1)];
    const auto kind = uniform(rng, 0, 3);
    if (kind < 2) {
      const std::string payload = kind == 0 ? random_base64(rng) : random_binary(rng);
      auto decoded = target.codec.decode(payload);
      EXPECT_FALSE(decoded) << "junk payload decoded: " << payload;
      if (target.uses_hmac) {
        EXPECT_FALSE(target.codec.authenticate(payload)) << payload;
      }
      ++junk;
      continue;
    }
    const auto& [message, wire] = target.packets[uniform(rng, 0, target.packets.size() - 1)];
    std::string mutated;
    do {
      mutated = mutate(rng, wire);
    } while (mutated == wire);
    ++mutations;
    auto decoded = target.codec.decode(mutated);
    if (target.uses_hmac) {
      // Every byte of the payload is covered by the HMAC (compared as text), so no change survives.
      EXPECT_FALSE(decoded) << "mutated HMAC packet decoded: " << wire << " -> " << mutated;
      EXPECT_FALSE(target.codec.authenticate(mutated)) << wire << " -> " << mutated;
    } else if (decoded) {
      // Without an HMAC a few changes are no-ops for the decoder, not forgeries: a '=' appended or inserted after
      // the data (decoding stops there), a change to the unused low bits of the last base64 character, a lone
      // trailing character (it decodes to nothing), or a truncation that drops only a whole block of padding.
      // Such a payload must decode to exactly the original message; anything else is a forgery.
      EXPECT_EQ(decoded->message, message) << wire << " -> " << mutated;
      ++harmless_mutations;
    }
  }
  EXPECT_GT(junk, 4000);
  EXPECT_GT(mutations, 4000);
  // The no-op mutations are rare; if most mutations "decoded", the decoder would be ignoring its input.
  EXPECT_LT(harmless_mutations, mutations / 20);
}

// ---- (c) - (h) keys, prefix, HMAC -------------------------------------------------------------------------

TEST(PacketCodec, HmacKeyEqualToEncryptionKeyIsInvalid) {
  const Keys keys = text_keys(EncryptionMode::kCbc, "same key", "same key");
  auto codec = PacketCodec::create(keys);
  ASSERT_FALSE(codec);
  EXPECT_EQ(codec.error().code, ErrorCode::kInvalidKey);
  auto wire = encode(sample_message(), keys);
  ASSERT_FALSE(wire);
  EXPECT_EQ(wire.error().code, ErrorCode::kInvalidKey);
  auto packet = decode(std::string(100, 'A'), keys);
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error().code, ErrorCode::kInvalidKey);
}

TEST(PacketCodec, CreateRejectsBadKeys) {
  for (const Keys& keys : {text_keys(EncryptionMode::kCbc, ""), text_keys(EncryptionMode::kCbc, std::string(33, 'k')),
                           text_keys(EncryptionMode::kCbc, "key", std::string(137, 'h'))}) {
    auto codec = PacketCodec::create(keys);
    ASSERT_FALSE(codec);
    EXPECT_EQ(codec.error().code, ErrorCode::kInvalidKey);
  }
}

TEST(PacketCodec, WireWithRijndaelPrefixLeftOnStillDecodes) {
  // libfko re-adds "U2FsdGVkX1" only when it is missing (protocol.md §4.5); fwknopd refuses such payloads earlier.
  for (const bool uses_hmac : {false, true}) {
    SCOPED_TRACE(uses_hmac);
    PacketCodec codec = make_codec(text_keys(EncryptionMode::kCbc, "key", uses_hmac ? "hmac key" : ""));
    auto wire = codec.encode(sample_message());
    ASSERT_TRUE(wire);
    auto packet = codec.decode(std::string(kRijndaelPrefix) + *wire);
    ASSERT_TRUE(packet) << packet.error().to_string();
    EXPECT_EQ(packet->message, sample_message());
  }
}

TEST(PacketCodec, WrongEncryptionKeyWithoutHmacNeverDecodes) {
  Rng rng(99);
  int decryption_failures = 0;
  int attempts = 0;
  for (const EncryptionMode mode : kAllModes) {
    PacketCodec sender = make_codec(text_keys(mode, "the right key"));
    for (int i = 0; i < 20; ++i) {
      const Message message = random_message(rng);
      auto wire = sender.encode(message);
      if (!wire) continue;
      Keys wrong;
      wrong.mode = mode;
      wrong.encryption_key = random_key(rng, 1, 16);
      auto packet = decode(*wire, wrong);
      ++attempts;
      ASSERT_FALSE(packet) << "decoded with a wrong key, mode " << static_cast<int>(mode);
      // Without an HMAC, the 16-digits-then-':' check of protocol.md §4.6 is what catches a wrong key.
      if (packet.error().code == ErrorCode::kDecryptionFailed) ++decryption_failures;
    }
  }
  EXPECT_GT(attempts, 60);
  EXPECT_EQ(decryption_failures, attempts);
}

TEST(PacketCodec, LegacyKeyDiffersFromItsUnpaddedCbcKey) {
  // "fwknoptest" in legacy mode is "fwknoptest000000": a plain CBC receiver with the short key must fail.
  auto wire = encode(sample_message(), text_keys(EncryptionMode::kCbcLegacyIv, "fwknoptest"));
  ASSERT_TRUE(wire);
  EXPECT_TRUE(decode(*wire, text_keys(EncryptionMode::kCbc, "fwknoptest000000")));
  auto packet = decode(*wire, text_keys(EncryptionMode::kCbc, "fwknoptest"));
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error().code, ErrorCode::kDecryptionFailed);
}

TEST(PacketCodec, WrongHmacKeyIsHmacMismatch) {
  auto wire = encode(sample_message(), text_keys(EncryptionMode::kCbc, "key", "hmac key"));
  ASSERT_TRUE(wire);
  auto packet = decode(*wire, text_keys(EncryptionMode::kCbc, "key", "hmac kez"));
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error().code, ErrorCode::kHmacMismatch);
  // Same key, other hash of the same tag length.
  auto other_type = decode(*wire, text_keys(EncryptionMode::kCbc, "key", "hmac key", DigestType::kSha3_256));
  ASSERT_FALSE(other_type);
  EXPECT_EQ(other_type.error().code, ErrorCode::kHmacMismatch);
  // A receiver without an HMAC key takes the tag for ciphertext and fails cleanly.
  EXPECT_FALSE(decode(*wire, text_keys(EncryptionMode::kCbc, "key")));
}

TEST(PacketCodec, WrongModePassesHmacThenFailsDecryption) {
  auto wire = encode(sample_message(), text_keys(EncryptionMode::kCbc, "key", "hmac key"));
  ASSERT_TRUE(wire);
  PacketCodec receiver = make_codec(text_keys(EncryptionMode::kCtr, "key", "hmac key"));
  EXPECT_TRUE(receiver.authenticate(*wire));
  auto packet = receiver.decode(*wire);
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error().code, ErrorCode::kDecryptionFailed);
}

TEST(PacketCodec, WrongEncryptionKeyWithRightHmacKeyFailsDecryption) {
  auto wire = encode(sample_message(), text_keys(EncryptionMode::kCbc, "key one", "hmac key"));
  ASSERT_TRUE(wire);
  auto packet = decode(*wire, text_keys(EncryptionMode::kCbc, "key two", "hmac key"));
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error().code, ErrorCode::kDecryptionFailed);
}

TEST(PacketCodec, AuthenticateAcceptsValidAndRejectsOneCharacterChange) {
  PacketCodec codec = make_codec(text_keys(EncryptionMode::kCbc, "key", "hmac key"));
  auto wire = codec.encode(sample_message());
  ASSERT_TRUE(wire);
  EXPECT_TRUE(codec.authenticate(*wire));
  for (const std::size_t position : {std::size_t{0}, wire->size() / 2, wire->size() - 44, wire->size() - 1}) {
    std::string changed = *wire;
    changed[position] = changed[position] == 'A' ? 'B' : 'A';
    auto result = codec.authenticate(changed);
    ASSERT_FALSE(result) << position;
    EXPECT_EQ(result.error().code, ErrorCode::kHmacMismatch);
    EXPECT_EQ(codec.decode(changed).error().code, ErrorCode::kHmacMismatch);
  }
}

TEST(PacketCodec, AuthenticatedTruncatedCiphertextIsBadCipherLength) {
  // A sender holding the HMAC key can still send a broken blob: it must fail on its length, after the HMAC.
  const Keys keys = text_keys(EncryptionMode::kCbc, "key", "hmac key");
  auto wire = encode(sample_message(), keys);
  ASSERT_TRUE(wire);
  std::string full = std::string(kRijndaelPrefix) + wire->substr(0, wire->size() - 43);
  full.resize(full.size() - 4);  // 3 bytes fewer: no longer salt + whole blocks
  auto hmac = HmacAuthenticator::create(DigestType::kSha256, keys.hmac_key);
  ASSERT_TRUE(hmac);
  const std::string forged = full.substr(kRijndaelPrefix.size()) + hmac->tag(full);
  auto packet = decode(forged, keys);
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error().code, ErrorCode::kBadCipherLength);
}

TEST(PacketCodec, DecodeRejectsBadLengthAndNonBase64) {
  for (const bool uses_hmac : {false, true}) {
    SCOPED_TRACE(uses_hmac);
    PacketCodec codec = make_codec(text_keys(EncryptionMode::kCbc, "key", uses_hmac ? "hmac key" : ""));
    auto wire = codec.encode(sample_message());
    ASSERT_TRUE(wire);
    EXPECT_EQ(codec.decode(std::string(35, 'A')).error().code, ErrorCode::kBadLength);
    EXPECT_EQ(codec.decode(std::string(1500, 'A')).error().code, ErrorCode::kBadLength);
    EXPECT_EQ(codec.decode("").error().code, ErrorCode::kBadLength);
    std::string bad = *wire;
    bad[20] = '-';
    EXPECT_EQ(codec.decode(bad).error().code, ErrorCode::kNotBase64);
    EXPECT_EQ(codec.decode(*wire + "\n").error().code, ErrorCode::kNotBase64);  // no trailing newline
  }
  // With an HMAC the payload must also hold a tag on top of the 36-byte minimum.
  PacketCodec codec = make_codec(text_keys(EncryptionMode::kCbc, "key", "hmac key"));
  EXPECT_EQ(codec.decode(std::string(36 + 42, 'A')).error().code, ErrorCode::kBadLength);
  EXPECT_EQ(codec.authenticate(std::string(36 + 42, 'A')).error().code, ErrorCode::kBadLength);
  EXPECT_EQ(codec.authenticate(std::string(36 + 43, 'A')).error().code, ErrorCode::kHmacMismatch);
}

TEST(PacketCodec, AuthenticateWithoutHmacChecksOnlyStructure) {
  PacketCodec codec = make_codec(text_keys(EncryptionMode::kCbc, "key"));
  EXPECT_TRUE(codec.authenticate(std::string(100, 'A')));
  EXPECT_EQ(codec.authenticate(std::string(100, '*')).error().code, ErrorCode::kNotBase64);
  EXPECT_EQ(codec.authenticate(std::string(10, 'A')).error().code, ErrorCode::kBadLength);
}

TEST(Keys, CloneCopiesEverything) {
  Keys keys = text_keys(EncryptionMode::kOfb, "encryption key", "hmac key", DigestType::kSha384);
  keys.gpg_decrypt.home_dir = "/tmp/home";
  keys.gpg_decrypt.passphrase = SecretBytes::from_text("pw");
  const Keys copy = keys.clone();
  EXPECT_EQ(copy.mode, EncryptionMode::kOfb);
  EXPECT_EQ(copy.hmac_type, DigestType::kSha384);
  EXPECT_TRUE(copy.encryption_key.equals(keys.encryption_key));
  EXPECT_TRUE(copy.hmac_key.equals(keys.hmac_key));
  EXPECT_EQ(copy.gpg_decrypt.home_dir, "/tmp/home");
  EXPECT_EQ(copy.gpg_decrypt.passphrase.as_text(), "pw");
  EXPECT_TRUE(copy.uses_hmac());
  EXPECT_FALSE(text_keys(EncryptionMode::kCbc, "key").uses_hmac());
}

}  // namespace
}  // namespace sesame::spa
