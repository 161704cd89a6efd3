// SPDX-License-Identifier: GPL-2.0-or-later
// fwknop's base64 (protocol.md §2): output cut at the first '=', libfko's lenient decoder, the is_base64 test.
#include "spa/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_vectors.h"

namespace sesame::spa {
namespace {

using namespace std::string_literals;

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

TEST(Base64Encode, MatchesKnownAnswersWithoutPadding) {
  const auto pairs = test::load_json("inner_encoding_kat.json")["base64_nopad"];
  ASSERT_FALSE(pairs.empty());
  for (const auto& pair : pairs) {
    const std::string in = pair["in"];
    SCOPED_TRACE(in);
    EXPECT_EQ(base64_encode(in), pair["out"].get<std::string>());
    EXPECT_EQ(base64_encode(std::span<const std::uint8_t>(bytes_of(in))), pair["out"].get<std::string>());
    EXPECT_EQ(base64_decode_text(pair["out"].get<std::string>()), in);
  }
}

TEST(Base64Encode, CutsAtFirstEqualsSign) {
  EXPECT_EQ(base64_encode("a"), "YQ");
  EXPECT_EQ(base64_encode("ab"), "YWI");
  EXPECT_EQ(base64_encode("abc"), "YWJj");
  EXPECT_EQ(base64_encode(""), "");
  for (std::size_t size = 0; size < 40; ++size)
    EXPECT_EQ(base64_encode(std::string(size, 'x')).find('='), std::string::npos) << size;
}

TEST(Base64Encode, PaddedVariantKeepsEqualsSigns) {
  EXPECT_EQ(base64_encode_padded(bytes_of("a")), "YQ==");
  EXPECT_EQ(base64_encode_padded(bytes_of("ab")), "YWI=");
  EXPECT_EQ(base64_encode_padded(bytes_of("abc")), "YWJj");
  EXPECT_EQ(base64_encode_padded({}), "");
  const std::vector<std::uint8_t> binary = {0x00, 0xff, 0xfe, 0x80};
  EXPECT_EQ(base64_encode_padded(binary), "AP/+gA==");
  EXPECT_EQ(base64_encode(binary), "AP/+gA");
}

TEST(Base64Decode, StopsAtFirstEqualsSign) {
  EXPECT_EQ(base64_decode_text("YQ==YWJj"), "a");
  EXPECT_EQ(base64_decode_text("YWJj=YWJj"), "abc");
  EXPECT_EQ(base64_decode_text("=YWJj"), "");
  // Whatever follows the '=' is not even looked at, so it may be outside the alphabet.
  EXPECT_EQ(base64_decode_text("YWJj=!!**"), "abc");
}

TEST(Base64Decode, StopsAtNulByte) {
  EXPECT_EQ(base64_decode_text("YWJj\0YWJj"s), "abc");
  EXPECT_EQ(base64_decode_text("YQ\0!!"s), "a");
}

TEST(Base64Decode, RejectsAnyByteOutsideTheAlphabet) {
  for (const std::string& bad : {"YQ-"s, "YQ_"s, "Y Q"s, "YQ\n"s, "YWJj."s, "YWJj:"s, "\x80YQ"s, "YQ\xff"s, "!"s}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(base64_decode(bad).has_value());
  }
}

TEST(Base64Decode, AcceptsEveryAlphabetCharacter) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto decoded = base64_decode(alphabet);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->size(), 48u);
  EXPECT_EQ(base64_encode(std::span<const std::uint8_t>(*decoded)), alphabet);
}

TEST(Base64Decode, GroupsOfTwoThreeFourCharactersGiveOneTwoThreeBytes) {
  EXPECT_EQ(base64_decode("YQ"), bytes_of("a"));
  EXPECT_EQ(base64_decode("YWI"), bytes_of("ab"));
  EXPECT_EQ(base64_decode("YWJj"), bytes_of("abc"));
  EXPECT_EQ(base64_decode("YWJjYQ"), bytes_of("abca"));
  EXPECT_EQ(base64_decode("YWJjYWI"), bytes_of("abcab"));
}

TEST(Base64Decode, SingleTrailingCharacterGivesNothing) {
  EXPECT_EQ(base64_decode("Y"), std::vector<std::uint8_t>{});
  EXPECT_EQ(base64_decode("YWJjY"), bytes_of("abc"));
  EXPECT_EQ(base64_decode(""), std::vector<std::uint8_t>{});
}

TEST(Base64Decode, DoesNotCheckUnusedLowBits) {
  // "YQ" is the canonical form of "a"; 'R'..'f' differ from 'Q' only in the 4 bits that a 2-char group drops.
  for (const char last : {'Q', 'R', 'S', 'T', 'Z', 'a', 'f'}) EXPECT_EQ(base64_decode_text("Y"s + last), "a") << last;
  // A 3-char group drops 2 bits: "YWI" and "YWJ" both give "ab".
  EXPECT_EQ(base64_decode_text("YWJ"), "ab");
}

TEST(Base64Decode, RoundTripsBinaryOfEveryLength) {
  std::vector<std::uint8_t> bytes;
  for (int size = 0; size < 70; ++size) {
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes) << size;
    EXPECT_EQ(base64_decode(base64_encode_padded(bytes)), bytes) << size;
    bytes.push_back(std::uint8_t(size * 37 + 11));
  }
}

// The allocation-free form used on the server's packet path is the same decoder.
TEST(Base64DecodeInto, MatchesBase64DecodeAndNeedsRoomForTheWholeResult) {
  for (const std::string& text :
       {""s, "Q"s, "QU"s, "QUI"s, "QUJD"s, "QUJDRA"s, "QUJDRA=="s, "QUJD=RA"s, "QU-J"s, "QUJD\0RA"s}) {
    SCOPED_TRACE(text);
    const auto expected = base64_decode(text);
    std::vector<std::uint8_t> out(base64_decoded_size(text) + 1, 0xaa);
    const auto size = base64_decode_into(text, out);
    ASSERT_EQ(size.has_value(), expected.has_value());
    if (!expected) continue;
    EXPECT_EQ(*size, expected->size());
    EXPECT_EQ(base64_decoded_size(text), expected->size());
    EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + std::ptrdiff_t(*size)), *expected);
    EXPECT_EQ(out[*size], 0xaa);  // nothing written past the result
    if (!expected->empty()) {
      std::vector<std::uint8_t> small(expected->size() - 1);
      EXPECT_FALSE(base64_decode_into(text, small));
    }
  }
}

TEST(Base64DecodeText, KeepsEmbeddedNulBytes) {
  // "YQBi" is "a\0b": the text helper keeps the NUL (the field decoder rejects it itself).
  const auto text = base64_decode_text("YQBi");
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "a\0b"s);
  EXPECT_FALSE(base64_decode_text("YQ#").has_value());
}

TEST(IsBase64Text, AcceptsAlphabetAndEqualsSignOnly) {
  EXPECT_TRUE(is_base64_text("ABCxyz019+/"));
  EXPECT_TRUE(is_base64_text("YQ=="));
  EXPECT_TRUE(is_base64_text("=a=b="));  // is_base64 is a per-byte test, not a format check
  EXPECT_TRUE(is_base64_text(""));
  for (const std::string& bad : {"YQ-"s, "YQ_"s, "Y Q"s, "YQ\n"s, "YQ\0"s, "\x80"s, "a.b"s, "a:b"s}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_base64_text(bad));
  }
}

}  // namespace
}  // namespace sesame::spa
