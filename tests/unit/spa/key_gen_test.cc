// SPDX-License-Identifier: GPL-2.0-or-later
// Key generation in the format of `fwknop --key-gen` (protocol.md §13).
#include "spa/key_gen.h"

#include <gtest/gtest.h>

#include <string>

#include "spa/base64.h"

namespace sesame::spa {
namespace {

std::size_t decoded_size(const std::string& padded) {
  const auto bytes = base64_decode(padded);
  EXPECT_TRUE(bytes.has_value()) << padded;
  return bytes ? bytes->size() : 0;
}

// What fwknop prints: standard base64 with its '=' padding kept.
void expect_padded_base64_of(const std::string& text, std::size_t bytes) {
  EXPECT_EQ(text.size(), 4 * ((bytes + 2) / 3)) << text;
  EXPECT_TRUE(is_base64_text(text)) << text;
  const std::size_t pad = (3 - bytes % 3) % 3;
  EXPECT_EQ(text.substr(text.size() - pad), std::string(pad, '=')) << text;
  EXPECT_EQ(text.find('='), pad == 0 ? std::string::npos : text.size() - pad) << text;
  EXPECT_EQ(decoded_size(text), bytes) << text;
}

TEST(GenerateKeys, DefaultsGive44And88CharacterKeysForSha256) {
  auto keys = generate_keys(DigestType::kSha256);
  ASSERT_TRUE(keys) << keys.error().to_string();
  EXPECT_EQ(keys->key_base64.size(), 44u);
  EXPECT_EQ(keys->hmac_key_base64.size(), 88u);
  expect_padded_base64_of(keys->key_base64, 32);
  expect_padded_base64_of(keys->hmac_key_base64, 64);
}

TEST(GenerateKeys, DefaultHmacKeyLengthFollowsHmacType) {
  const std::pair<DigestType, std::size_t> expected[] = {{DigestType::kMd5, 16},
                                                         {DigestType::kSha1, 20},
                                                         {DigestType::kSha256, 64},
                                                         {DigestType::kSha384, 128},
                                                         {DigestType::kSha512, 128},
                                                         // Our choice where fwknop fails (key_gen.h, docs/compat.md).
                                                         {DigestType::kSha3_256, 32},
                                                         {DigestType::kSha3_512, 64}};
  for (const auto& [type, length] : expected) {
    SCOPED_TRACE(static_cast<int>(type));
    EXPECT_EQ(default_hmac_key_length(type), length);
    auto keys = generate_keys(type);
    ASSERT_TRUE(keys) << keys.error().to_string();
    expect_padded_base64_of(keys->key_base64, kDefaultKeyLength);
    expect_padded_base64_of(keys->hmac_key_base64, length);
  }
}

TEST(GenerateKeys, AcceptsExplicitLengthsOneTo128) {
  for (const std::size_t length : {1u, 2u, 3u, 31u, 33u, 127u, 128u}) {
    SCOPED_TRACE(length);
    auto keys = generate_keys(DigestType::kSha256, length, length);
    ASSERT_TRUE(keys) << keys.error().to_string();
    expect_padded_base64_of(keys->key_base64, length);
    expect_padded_base64_of(keys->hmac_key_base64, length);
  }
}

TEST(GenerateKeys, RejectsLengthZeroOr129) {
  for (const std::size_t bad : {0u, 129u, 1000u}) {
    SCOPED_TRACE(bad);
    auto key = generate_keys(DigestType::kSha256, bad);
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    auto hmac = generate_keys(DigestType::kSha256, kDefaultKeyLength, bad);
    ASSERT_FALSE(hmac);
    EXPECT_EQ(hmac.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(GenerateKeys, TwoCallsDiffer) {
  auto first = generate_keys(DigestType::kSha256);
  auto second = generate_keys(DigestType::kSha256);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->key_base64, second->key_base64);
  EXPECT_NE(first->hmac_key_base64, second->hmac_key_base64);
  EXPECT_NE(first->key_base64, first->hmac_key_base64.substr(0, 44));
}

TEST(GeneratedKeys, ToTextIsPastableConfigLines) {
  const GeneratedKeys keys{"a2V5", "aG1hYw=="};
  EXPECT_EQ(keys.to_text(), "KEY_BASE64: a2V5\nHMAC_KEY_BASE64: aG1hYw==\n");
  auto generated = generate_keys(DigestType::kSha256);
  ASSERT_TRUE(generated);
  EXPECT_EQ(generated->to_text(),
            "KEY_BASE64: " + generated->key_base64 + "\nHMAC_KEY_BASE64: " + generated->hmac_key_base64 + "\n");
}

}  // namespace
}  // namespace sesame::spa
