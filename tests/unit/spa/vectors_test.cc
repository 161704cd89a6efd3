// SPDX-License-Identifier: GPL-2.0-or-later
// Every known-answer packet of tests/data decodes to its listed fields; the deterministic ones re-encode exactly.
#include <gtest/gtest.h>

#include "spa/digest.h"
#include "spa/message_codec.h"
#include "spa/packet_codec.h"
#include "support/test_vectors.h"

namespace sesame::spa {
namespace {

using test::keys_from_vector;
using test::load_json;
using test::message_from_fields;

TEST(DeterministicVectors, EncodeByteIdenticalFromFixedSalt) {
  const auto vectors = load_json("deterministic_vectors.json")["vectors"];
  ASSERT_EQ(vectors.size(), 6u);
  for (const auto& vector : vectors) {
    SCOPED_TRACE(vector["id"].get<std::string>());
    Message message = message_from_fields(vector["fields"]);
    message.digest_type = test::digest_from_name(vector["inner_digest"]);
    const Keys keys = keys_from_vector(vector);
    auto encoded = encode_message(message);
    ASSERT_TRUE(encoded) << encoded.error().to_string();
    EXPECT_EQ(*encoded, vector["encoded_msg"].get<std::string>());
    auto plaintext = make_plaintext(message, DigestSet());
    ASSERT_TRUE(plaintext) << plaintext.error().to_string();
    EXPECT_EQ(*plaintext, vector["plaintext"].get<std::string>());
    auto wire = encode(message, keys, {test::salt_from_hex(vector["salt_hex"])});
    ASSERT_TRUE(wire) << wire.error().to_string();
    EXPECT_EQ(*wire, vector["spa_wire"].get<std::string>());
    EXPECT_EQ(replay_digest(*wire), vector["replay_digest"].get<std::string>());
  }
}

TEST(DeterministicVectors, DecodeToListedFields) {
  const auto vectors = load_json("deterministic_vectors.json")["vectors"];
  ASSERT_EQ(vectors.size(), 6u);
  for (const auto& vector : vectors) {
    SCOPED_TRACE(vector["id"].get<std::string>());
    Message expected = message_from_fields(vector["fields"]);
    expected.digest_type = test::digest_from_name(vector["inner_digest"]);
    auto packet = decode(vector["spa_wire"].get<std::string>(), keys_from_vector(vector));
    ASSERT_TRUE(packet) << packet.error().to_string();
    EXPECT_EQ(packet->message, expected);
    EXPECT_EQ(packet->encoded, vector["encoded_msg"].get<std::string>());
    EXPECT_EQ(packet->salt, test::salt_from_hex(vector["salt_hex"]));
  }
}

TEST(ClientVectors, RealFwknopPacketsDecode) {
  int checked = 0;
  const auto vectors = load_json("client_vectors.json")["vectors"];
  for (const auto& vector : vectors) {
    if (vector["encryption_mode"] == "asymmetric") continue;  // GPG: gpg_packet_test.cc, needs a keyring
    SCOPED_TRACE(vector["id"].get<std::string>());
    const auto& decoded = vector["decoded"];
    auto packet = decode(vector["spa_wire"].get<std::string>(), keys_from_vector(vector));
    ASSERT_TRUE(packet) << packet.error().to_string();
    EXPECT_EQ(packet->message, message_from_fields(decoded));
    EXPECT_EQ(packet->encoded + ":" + packet->digest, decoded["plaintext"].get<std::string>());
    EXPECT_EQ(packet->salt, test::salt_from_hex(decoded["salt_hex"]));
    EXPECT_EQ(replay_digest(vector["spa_wire"].get<std::string>()), decoded["replay_digest_sha256"].get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(UpstreamVectors, HistoricPacketsDecode) {
  const auto vectors = load_json("upstream_vectors.json")["vectors"];
  ASSERT_EQ(vectors.size(), 36u);
  for (const auto& vector : vectors) {
    SCOPED_TRACE(vector["upstream_test_detail"].get<std::string>());
    auto packet = decode(vector["spa_wire"].get<std::string>(), keys_from_vector(vector));
    ASSERT_TRUE(packet) << packet.error().to_string();
    EXPECT_EQ(packet->encoded + ":" + packet->digest, vector["decoded_plaintext"].get<std::string>());
    EXPECT_EQ(packet->message.digest_type, test::digest_from_name(vector["inner_digest_type"]));
  }
}

TEST(InnerEncoding, KnownAnswersForEveryDigest) {
  const auto kat = load_json("inner_encoding_kat.json");
  const DigestSet digests;
  ASSERT_EQ(kat["inner_encoding"].size(), 9u);
  for (const auto& entry : kat["inner_encoding"]) {
    const std::string encoded = entry["encoded_msg"];
    SCOPED_TRACE(encoded);
    for (const auto& [name, digest] : entry["digests"].items()) {
      const DigestType type = test::digest_from_name(name);
      EXPECT_EQ(digests.base64_digest(type, encoded), digest.get<std::string>()) << name;
      Message message = message_from_fields(entry["fields_decoded"]);
      message.digest_type = type;
      auto plaintext = make_plaintext(message, digests);
      ASSERT_TRUE(plaintext) << plaintext.error().to_string();
      EXPECT_EQ(*plaintext, encoded + ":" + digest.get<std::string>());
      auto decoded = decode_plaintext(*plaintext, digests);
      ASSERT_TRUE(decoded) << decoded.error().to_string();
      EXPECT_EQ(decoded->message, message);
    }
  }
}

TEST(InnerEncoding, HmacKnownAnswers) {
  const auto examples = load_json("inner_encoding_kat.json")["hmac_examples"];
  ASSERT_EQ(examples.size(), 7u);
  for (const auto& example : examples) {
    SCOPED_TRACE(example["hmac_type"].get<std::string>());
    auto hmac = HmacAuthenticator::create(test::digest_from_name(example["hmac_type"]),
                                          SecretBytes::from_text(example["key_text"].get<std::string>()));
    ASSERT_TRUE(hmac) << hmac.error().to_string();
    EXPECT_EQ(hmac->tag(example["msg"].get<std::string>()), example["hmac_b64_nopad"].get<std::string>());
    EXPECT_TRUE(hmac->verify(example["msg"].get<std::string>(), example["hmac_b64_nopad"].get<std::string>()));
  }
}

}  // namespace
}  // namespace sesame::spa
