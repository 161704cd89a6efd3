// SPDX-License-Identifier: GPL-2.0-or-later
// The HMAC layer (protocol.md §6): key limits, exact tag comparison, and agreement with OpenSSL's one-shot HMAC()
// for keys longer than the hash block (the known-answer tags are in vectors_test.cc).
#include "spa/hmac.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <string>
#include <vector>

#include "spa/base64.h"

namespace sesame::spa {
namespace {

constexpr DigestType kAllTypes[] = {DigestType::kMd5,     DigestType::kSha1,   DigestType::kSha256,
                                    DigestType::kSha384,  DigestType::kSha512, DigestType::kSha3_256,
                                    DigestType::kSha3_512};
constexpr std::string_view kMessage = "U2FsdGVkX19v+LW/BrbV+/LIv97dJjeZpwdP4LeFqCeEclYDvzyp7XNgyj";

const EVP_MD* openssl_md(DigestType type) {
  switch (type) {
    case DigestType::kMd5:
      return EVP_md5();
    case DigestType::kSha1:
      return EVP_sha1();
    case DigestType::kSha256:
      return EVP_sha256();
    case DigestType::kSha384:
      return EVP_sha384();
    case DigestType::kSha512:
      return EVP_sha512();
    case DigestType::kSha3_256:
      return EVP_sha3_256();
    case DigestType::kSha3_512:
      return EVP_sha3_512();
  }
  return nullptr;
}

SecretBytes patterned_key(std::size_t size) {
  SecretBytes key(size);
  for (std::size_t i = 0; i < size; ++i) key.mutable_bytes()[i] = std::uint8_t(i * 31 + 7);
  return key;
}

// Unpadded base64 of OpenSSL's one-shot HMAC(): an implementation independent of EVP_MAC.
std::string reference_tag(DigestType type, const SecretBytes& key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  EXPECT_NE(HMAC(openssl_md(type), key.bytes().data(), int(key.size()),
                 reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &size),
            nullptr);
  return base64_encode(std::span<const std::uint8_t>(mac.data(), size));
}

HmacAuthenticator make_hmac(DigestType type, const SecretBytes& key) {
  auto hmac = HmacAuthenticator::create(type, key);
  EXPECT_TRUE(hmac) << hmac.error().to_string();
  return std::move(*hmac);
}

TEST(HmacAuthenticator, Sha3_512WithKeyLongerThanBlockMatchesOpenSslHmac) {
  // 128 bytes > SHA3-512's 72-byte block: the key is hashed first (protocol.md §6).
  const SecretBytes key = patterned_key(128);
  const auto hmac = make_hmac(DigestType::kSha3_512, key);
  const std::string tag = hmac.tag(kMessage);
  EXPECT_EQ(tag.size(), 86u);
  EXPECT_EQ(tag, reference_tag(DigestType::kSha3_512, key, kMessage));
  EXPECT_TRUE(hmac.verify(kMessage, tag));
}

TEST(HmacAuthenticator, EveryTypeMatchesOpenSslHmacForShortAndLongKeys) {
  for (const DigestType type : kAllTypes) {
    for (const std::size_t key_size : {1u, 16u, 64u, 65u, 128u, 136u}) {
      SCOPED_TRACE(testing::Message() << "type " << static_cast<int>(type) << " key " << key_size);
      const SecretBytes key = patterned_key(key_size);
      const auto hmac = make_hmac(type, key);
      EXPECT_EQ(hmac.tag(kMessage), reference_tag(type, key, kMessage));
      EXPECT_EQ(hmac.tag(""), reference_tag(type, key, ""));
    }
  }
}

TEST(HmacAuthenticator, TagLengthFollowsType) {
  const SecretBytes key = SecretBytes::from_text("hmac key");
  const std::pair<DigestType, std::size_t> expected[] = {
      {DigestType::kMd5, 22},    {DigestType::kSha1, 27},     {DigestType::kSha256, 43},  {DigestType::kSha384, 64},
      {DigestType::kSha512, 86}, {DigestType::kSha3_256, 43}, {DigestType::kSha3_512, 86}};
  for (const auto& [type, length] : expected) {
    const auto hmac = make_hmac(type, key);
    EXPECT_EQ(hmac.type(), type);
    EXPECT_EQ(hmac.tag_length(), length);
    EXPECT_EQ(hmac.tag(kMessage).size(), length);
  }
}

TEST(HmacAuthenticator, IsReusableAcrossMessages) {
  // The context is keyed once and re-initialised per message: the second tag must not depend on the first.
  const SecretBytes key = SecretBytes::from_text("hmac key");
  const auto hmac = make_hmac(DigestType::kSha256, key);
  const std::string first = hmac.tag("first message");
  EXPECT_EQ(hmac.tag("second message"), reference_tag(DigestType::kSha256, key, "second message"));
  EXPECT_EQ(hmac.tag("first message"), first);
}

TEST(HmacAuthenticator, VerifyRejectsTagOneCharacterOff) {
  for (const DigestType type : kAllTypes) {
    SCOPED_TRACE(static_cast<int>(type));
    const auto hmac = make_hmac(type, SecretBytes::from_text("hmac key"));
    const std::string tag = hmac.tag(kMessage);
    ASSERT_TRUE(hmac.verify(kMessage, tag));
    for (const std::size_t position : {std::size_t{0}, tag.size() / 2, tag.size() - 1}) {
      std::string bad = tag;
      bad[position] = bad[position] == 'A' ? 'B' : 'A';
      // The last character too: the comparison is on the text, not on the decoded bytes (whose unused bits differ).
      EXPECT_FALSE(hmac.verify(kMessage, bad)) << position;
    }
  }
}

TEST(HmacAuthenticator, VerifyRejectsTagOfWrongLength) {
  const auto hmac = make_hmac(DigestType::kSha256, SecretBytes::from_text("hmac key"));
  const std::string tag = hmac.tag(kMessage);
  EXPECT_FALSE(hmac.verify(kMessage, tag.substr(0, tag.size() - 1)));
  EXPECT_FALSE(hmac.verify(kMessage, tag + "A"));
  EXPECT_FALSE(hmac.verify(kMessage, tag + "="));
  EXPECT_FALSE(hmac.verify(kMessage, ""));
}

TEST(HmacAuthenticator, VerifyRejectsOtherMessageOrKey) {
  const auto hmac = make_hmac(DigestType::kSha256, SecretBytes::from_text("hmac key"));
  const auto other = make_hmac(DigestType::kSha256, SecretBytes::from_text("hmac kez"));
  const std::string tag = hmac.tag(kMessage);
  EXPECT_FALSE(hmac.verify(std::string(kMessage) + "A", tag));
  EXPECT_FALSE(other.verify(kMessage, tag));
}

TEST(HmacAuthenticator, RejectsKeyLongerThan136Bytes) {
  EXPECT_TRUE(HmacAuthenticator::create(DigestType::kSha256, patterned_key(136)));
  for (const DigestType type : kAllTypes) {
    auto hmac = HmacAuthenticator::create(type, patterned_key(137));
    ASSERT_FALSE(hmac);
    EXPECT_EQ(hmac.error().code, ErrorCode::kInvalidKey);
  }
}

TEST(HmacAuthenticator, RejectsEmptyKey) {
  for (const DigestType type : kAllTypes) {
    auto hmac = HmacAuthenticator::create(type, SecretBytes());
    ASSERT_FALSE(hmac);
    EXPECT_EQ(hmac.error().code, ErrorCode::kInvalidKey);
  }
}

}  // namespace
}  // namespace sesame::spa
