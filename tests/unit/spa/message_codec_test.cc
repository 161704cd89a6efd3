// SPDX-License-Identifier: GPL-2.0-or-later
// The inner layer (protocol.md §3): exact encoded strings, type adjustment, encoder refusals, and the decoder's
// field-count, digest and per-field rules, each error checked for its code and the field it names.
#include "spa/message_codec.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "spa/base64.h"

namespace sesame::spa {
namespace {

using namespace std::string_literals;

constexpr DigestType kAllDigests[] = {DigestType::kMd5,     DigestType::kSha1,   DigestType::kSha256,
                                      DigestType::kSha384,  DigestType::kSha512, DigestType::kSha3_256,
                                      DigestType::kSha3_512};

// Base64 of the usual sample fields, checked against Python's base64 module.
constexpr std::string_view kRoot = "cm9vdA";                         // root
constexpr std::string_view kAccess = "MS4yLjMuNCx0Y3AvMjI";          // 1.2.3.4,tcp/22
constexpr std::string_view kNat = "MTkyLjE2OC4xMC4yMyw1MDAx";        // 192.168.10.23,5001
constexpr std::string_view kCommand = "MTAuNC40LjQsZWNobyBoZWxsbw";  // 10.4.4.4,echo hello
constexpr std::string_view kSecret = "c2VjcmV0";                     // secret

Message sample(MessageType type = MessageType::kAccess) {
  Message m;
  m.random_value = "1234567890123456";
  m.username = "root";
  m.timestamp = 1700000000;
  m.version = "3.0.0";
  m.type = type;
  m.message = type == MessageType::kCommand ? "10.4.4.4,echo hello" : "1.2.3.4,tcp/22";
  if (has_nat_field(type))
    m.nat_access = (type == MessageType::kLocalNatAccess || type == MessageType::kClientTimeoutLocalNatAccess)
                       ? "127.0.0.1,22"
                       : "192.168.10.23,5001";
  if (has_client_timeout_field(type)) m.client_timeout = 60;
  return m;
}

// The fields joined by ':' (so a test can build any plaintext, valid or not).
std::string join(const std::vector<std::string_view>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ':';
    out += fields[i];
  }
  return out;
}

// encoded + ':' + its correct digest, so that the decoder gets past the digest check to the field rules.
std::string with_digest(std::string_view encoded, DigestType type = DigestType::kSha256) {
  return std::string(encoded) + ":" + DigestSet().base64_digest(type, encoded);
}

// A plaintext whose fields are the sample's except where the test replaces one.
std::string plaintext_of(const std::vector<std::string_view>& fields) {
  return with_digest(join(fields));
}

void expect_error(const Result<DecodedPlaintext>& result, ErrorCode code, Field field) {
  ASSERT_FALSE(result) << "decoded although it should fail";
  EXPECT_EQ(result.error().code, code) << result.error().to_string();
  EXPECT_EQ(result.error().field, field) << result.error().to_string();
}

template <class T>
void expect_refused(const Result<T>& result, ErrorCode code, Field field) {
  ASSERT_FALSE(result) << "encoded although it should be refused";
  EXPECT_EQ(result.error().code, code) << result.error().to_string();
  EXPECT_EQ(result.error().field, field) << result.error().to_string();
}

Result<DecodedPlaintext> decode(std::string_view plaintext) {
  return decode_plaintext(plaintext, DigestSet());
}

// ---- encode_message: exact strings -------------------------------------------------------------------------

TEST(EncodeMessage, CommandHasNoTimeoutEvenIfSet) {
  Message m = sample(MessageType::kCommand);
  EXPECT_EQ(*encode_message(m), "1234567890123456:cm9vdA:1700000000:3.0.0:0:MTAuNC40LjQsZWNobyBoZWxsbw");
  m.client_timeout = 30;
  EXPECT_EQ(*encode_message(m), "1234567890123456:cm9vdA:1700000000:3.0.0:0:MTAuNC40LjQsZWNobyBoZWxsbw");
}

TEST(EncodeMessage, AccessExactString) {
  EXPECT_EQ(*encode_message(sample(MessageType::kAccess)),
            "1234567890123456:cm9vdA:1700000000:3.0.0:1:MS4yLjMuNCx0Y3AvMjI");
}

TEST(EncodeMessage, NatAccessExactString) {
  EXPECT_EQ(*encode_message(sample(MessageType::kNatAccess)),
            "1234567890123456:cm9vdA:1700000000:3.0.0:2:MS4yLjMuNCx0Y3AvMjI:MTkyLjE2OC4xMC4yMyw1MDAx");
}

TEST(EncodeMessage, ClientTimeoutAccessExactString) {
  EXPECT_EQ(*encode_message(sample(MessageType::kClientTimeoutAccess)),
            "1234567890123456:cm9vdA:1700000000:3.0.0:3:MS4yLjMuNCx0Y3AvMjI:60");
}

TEST(EncodeMessage, ClientTimeoutNatAccessExactString) {
  EXPECT_EQ(*encode_message(sample(MessageType::kClientTimeoutNatAccess)),
            "1234567890123456:cm9vdA:1700000000:3.0.0:4:MS4yLjMuNCx0Y3AvMjI:MTkyLjE2OC4xMC4yMyw1MDAx:60");
}

TEST(EncodeMessage, LocalNatAccessExactString) {
  EXPECT_EQ(*encode_message(sample(MessageType::kLocalNatAccess)),
            "1234567890123456:cm9vdA:1700000000:3.0.0:5:MS4yLjMuNCx0Y3AvMjI:MTI3LjAuMC4xLDIy");
}

TEST(EncodeMessage, ClientTimeoutLocalNatWithServerAuthPutsAuthBeforeTimeout) {
  Message m = sample(MessageType::kClientTimeoutLocalNatAccess);
  m.server_auth = "secret";
  m.client_timeout = 3600;
  EXPECT_EQ(*encode_message(m),
            "1234567890123456:cm9vdA:1700000000:3.0.0:6:MS4yLjMuNCx0Y3AvMjI:MTI3LjAuMC4xLDIy:c2VjcmV0:3600");
}

TEST(EncodeMessage, UsernameWithSpaceAndServerAuth) {
  Message m = sample();
  m.username = "John Smith";
  m.message = "10.0.0.2,tcp/22,udp/53";
  m.server_auth = "secret";
  EXPECT_EQ(*encode_message(m),
            "1234567890123456:Sm9obiBTbWl0aA:1700000000:3.0.0:1:MTAuMC4wLjIsdGNwLzIyLHVkcC81Mw:c2VjcmV0");
}

TEST(MakePlaintext, AppendsDigestOfTheEncodedMessage) {
  for (const DigestType type : kAllDigests) {
    Message m = sample();
    m.digest_type = type;
    const std::string encoded = *encode_message(m);
    EXPECT_EQ(*make_plaintext(m, DigestSet()), encoded + ":" + DigestSet().base64_digest(type, encoded));
  }
}

// ---- type adjustment --------------------------------------------------------------------------------------

TEST(AdjustedType, PositiveTimeoutPicksTimeoutVariant) {
  EXPECT_EQ(adjusted_type(MessageType::kAccess, false, 10), MessageType::kClientTimeoutAccess);
  EXPECT_EQ(adjusted_type(MessageType::kNatAccess, true, 10), MessageType::kClientTimeoutNatAccess);
  EXPECT_EQ(adjusted_type(MessageType::kLocalNatAccess, true, 10), MessageType::kClientTimeoutLocalNatAccess);
  EXPECT_EQ(adjusted_type(MessageType::kClientTimeoutAccess, false, 10), MessageType::kClientTimeoutAccess);
}

TEST(AdjustedType, ZeroTimeoutDropsTimeoutVariant) {
  EXPECT_EQ(adjusted_type(MessageType::kClientTimeoutAccess, false, 0), MessageType::kAccess);
  EXPECT_EQ(adjusted_type(MessageType::kClientTimeoutNatAccess, true, 0), MessageType::kNatAccess);
  EXPECT_EQ(adjusted_type(MessageType::kClientTimeoutLocalNatAccess, true, 0), MessageType::kLocalNatAccess);
  EXPECT_EQ(adjusted_type(MessageType::kAccess, false, 0), MessageType::kAccess);
}

TEST(AdjustedType, NatStringMakesAccessANatRequest) {
  EXPECT_EQ(adjusted_type(MessageType::kAccess, true, 0), MessageType::kNatAccess);
  EXPECT_EQ(adjusted_type(MessageType::kAccess, true, 5), MessageType::kClientTimeoutNatAccess);
  EXPECT_EQ(adjusted_type(MessageType::kClientTimeoutAccess, true, 5), MessageType::kClientTimeoutNatAccess);
  // Local NAT stays local.
  EXPECT_EQ(adjusted_type(MessageType::kLocalNatAccess, true, 0), MessageType::kLocalNatAccess);
  EXPECT_EQ(adjusted_type(MessageType::kClientTimeoutLocalNatAccess, true, 7),
            MessageType::kClientTimeoutLocalNatAccess);
}

TEST(AdjustedType, CommandNeverChanges) {
  EXPECT_EQ(adjusted_type(MessageType::kCommand, false, 0), MessageType::kCommand);
  EXPECT_EQ(adjusted_type(MessageType::kCommand, false, 10), MessageType::kCommand);
  EXPECT_EQ(adjusted_type(MessageType::kCommand, true, 10), MessageType::kCommand);
}

TEST(EncodeMessage, AppliesTypeAdjustment) {
  Message m = sample(MessageType::kAccess);
  m.client_timeout = 30;
  EXPECT_EQ(*encode_message(m), "1234567890123456:cm9vdA:1700000000:3.0.0:3:MS4yLjMuNCx0Y3AvMjI:30");
  m = sample(MessageType::kAccess);
  m.nat_access = "192.168.10.23,5001";
  EXPECT_EQ(*encode_message(m),
            "1234567890123456:cm9vdA:1700000000:3.0.0:2:MS4yLjMuNCx0Y3AvMjI:MTkyLjE2OC4xMC4yMyw1MDAx");
  m = sample(MessageType::kClientTimeoutAccess);
  m.client_timeout = 0;
  EXPECT_EQ(*encode_message(m), "1234567890123456:cm9vdA:1700000000:3.0.0:1:MS4yLjMuNCx0Y3AvMjI");
}

// ---- encoder refusals -------------------------------------------------------------------------------------

TEST(EncodeMessage, RefusesRandomValueThatIsNotSixteenDigits) {
  for (const std::string& bad :
       {"123456789012345"s, "12345678901234567"s, "123456789012345a"s, ""s, "1234567890 23456"s}) {
    SCOPED_TRACE(bad);
    Message m = sample();
    m.random_value = bad;
    expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kRandomValue);
  }
}

TEST(EncodeMessage, RefusesUsernameOver48Bytes) {
  Message m = sample();
  m.username = std::string(48, 'u');
  EXPECT_TRUE(encode_message(m));
  m.username = std::string(49, 'u');
  expect_refused(encode_message(m), ErrorCode::kFieldTooLong, Field::kUsername);
}

TEST(EncodeMessage, RefusesInvalidUsername) {
  for (const std::string& bad : {""s, "ro:ot"s, "ro/ot"s, "tab\tname"s, "caf\xc3\xa9"s}) {
    SCOPED_TRACE(bad);
    Message m = sample();
    m.username = bad;
    expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kUsername);
  }
}

TEST(EncodeMessage, RefusesMessageOver192Bytes) {
  Message m = sample();
  m.message = "1.2.3.4";
  while (m.message.size() + 7 <= kMaxMessageSize) m.message += ",tcp/22";
  ASSERT_LE(m.message.size(), kMaxMessageSize);
  EXPECT_TRUE(encode_message(m)) << m.message.size();
  m.message += ",tcp/22";
  ASSERT_GT(m.message.size(), kMaxMessageSize);
  expect_refused(encode_message(m), ErrorCode::kFieldTooLong, Field::kMessage);

  m = sample(MessageType::kCommand);
  m.message = "10.4.4.4," + std::string(kMaxMessageSize - 9, 'x');
  EXPECT_TRUE(encode_message(m));
  m.message += "x";
  expect_refused(encode_message(m), ErrorCode::kFieldTooLong, Field::kMessage);
}

TEST(EncodeMessage, RefusesInvalidAccessMessage) {
  for (const std::string& bad : {"1.2.3.4,icmp/1"s, "1.2.3.4,none/0"s, "1.2.3.4,tcp/0"s, "1.2.3.4"s, "1.2.3.4,tcp/22,"s,
                                 "10.4.4.4,echo hello"s}) {
    SCOPED_TRACE(bad);
    Message m = sample();
    m.message = bad;
    expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kMessage);
  }
}

TEST(EncodeMessage, RefusesInvalidCommandMessage) {
  Message m = sample(MessageType::kCommand);
  m.message = "10.4.4.4,";
  expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kMessage);
}

TEST(EncodeMessage, RefusesCommandWithNat) {
  Message m = sample(MessageType::kCommand);
  m.nat_access = "192.168.10.23,5001";
  expect_refused(encode_message(m), ErrorCode::kInvalidArgument, Field::kNatAccess);
}

TEST(EncodeMessage, RefusesNatTypeWithoutNat) {
  for (const MessageType type : {MessageType::kNatAccess, MessageType::kClientTimeoutNatAccess,
                                 MessageType::kLocalNatAccess, MessageType::kClientTimeoutLocalNatAccess}) {
    SCOPED_TRACE(static_cast<int>(type));
    Message m = sample(type);
    m.nat_access.reset();
    expect_refused(encode_message(m), ErrorCode::kFieldMissing, Field::kNatAccess);
  }
}

TEST(EncodeMessage, RefusesInvalidOrOverlongNat) {
  Message m = sample(MessageType::kNatAccess);
  m.nat_access = "192.168.10.23";
  expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kNatAccess);
  m.nat_access = std::string(130, 'h') + ",22";
  expect_refused(encode_message(m), ErrorCode::kFieldTooLong, Field::kNatAccess);
}

TEST(EncodeMessage, RefusesTimeoutOver65536) {
  Message m = sample(MessageType::kClientTimeoutAccess);
  m.client_timeout = 65536;
  EXPECT_TRUE(encode_message(m));
  m.client_timeout = 65537;
  expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kClientTimeout);
}

TEST(EncodeMessage, RefusesTimestampAbove2To31Minus1) {
  Message m = sample();
  m.timestamp = 0x7fffffff;
  EXPECT_EQ(*encode_message(m), "1234567890123456:cm9vdA:2147483647:3.0.0:1:MS4yLjMuNCx0Y3AvMjI");
  m.timestamp = 0x80000000u;
  expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kTimestamp);
  m.timestamp = 0xffffffffu;
  expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kTimestamp);
}

// Found by modern_decode_fuzz: a server-auth field the encoder could not send back ("w" decodes to nothing).
TEST(DecodeMessage, ServerAuthMustDecodeToOneTo63Bytes) {
  const std::string head = "1234567890123456:ZnV6eiB1c2Vy:10:3.0.0:0:MTAuMC4wLjIsZWNobyx1c2Vy:";
  const auto nothing = decode_message(head + "w");
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().field, Field::kServerAuth);
  const auto too_long = decode_message(head + base64_encode(std::string(64, 'a')));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().field, Field::kServerAuth);
  const auto most = decode_message(head + base64_encode(std::string(63, 'a')));
  ASSERT_TRUE(most) << most.error().to_string();
  EXPECT_EQ(most->server_auth, std::string(63, 'a'));
}

TEST(EncodeMessage, RefusesServerAuthOver63Bytes) {
  Message m = sample();
  m.server_auth = std::string(63, 'a');
  EXPECT_TRUE(encode_message(m));
  m.server_auth = std::string(64, 'a');
  expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kServerAuth);
  m.server_auth = "";
  expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kServerAuth);
}

TEST(EncodeMessage, RefusesVersionOver8CharsOrWithColon) {
  Message m = sample();
  m.version = "12345678";
  EXPECT_TRUE(encode_message(m));
  for (const std::string& bad : {"123456789"s, "3.0:0"s, ""s, "3.0\n"s}) {
    SCOPED_TRACE(bad);
    m.version = bad;
    expect_refused(encode_message(m), ErrorCode::kFieldInvalid, Field::kVersion);
  }
}

TEST(EncodeMessage, RefusesMessageTypeOutsideZeroToSix) {
  // The encoder promises to refuse what the decoder rejects; the decoder takes only 0..6 (protocol.md §3.1).
  // LIBRARY BUG (reported): encode_message currently emits "...:7:..." and "...:-1:..." without complaint.
  for (const int code : {7, -1, 99}) {
    SCOPED_TRACE(code);
    Message m = sample();
    m.type = static_cast<MessageType>(code);
    auto encoded = encode_message(m);
    ASSERT_FALSE(encoded) << "encoded an undecodable type: " << *encoded;
    EXPECT_EQ(encoded.error().field, Field::kMessageType) << encoded.error().to_string();
  }
}

TEST(MakePlaintext, RefusesDigestTypeZero) {
  Message m = sample();
  m.digest_type = static_cast<DigestType>(0);
  EXPECT_FALSE(make_plaintext(m, DigestSet()));
}

TEST(MakePlaintextDeathTest, DigestTypeOutOfRangeIsRefusedNotIndexedOutOfBounds) {
  // LIBRARY BUG (reported): DigestSet::base64_digest indexes its 8-entry algorithm array with the raw enum value,
  // so digest type 8 reads past the array (a crash, found under ASan). Run in a child so the suite survives it.
  EXPECT_EXIT(
      {
        Message m = sample();
        m.digest_type = static_cast<DigestType>(8);
        std::exit(make_plaintext(m, DigestSet()) ? 1 : 0);
      },
      testing::ExitedWithCode(0), "");
}

// ---- decode_plaintext: round trips ------------------------------------------------------------------------

TEST(DecodePlaintext, RoundTripsEveryTypeAndDigest) {
  const DigestSet digests;
  for (int code = 0; code <= 6; ++code) {
    for (const DigestType digest : kAllDigests) {
      for (const bool with_server_auth : {false, true}) {
        SCOPED_TRACE(testing::Message() << "type " << code << " digest " << static_cast<int>(digest) << " auth "
                                        << with_server_auth);
        Message m = sample(static_cast<MessageType>(code));
        m.digest_type = digest;
        if (with_server_auth) m.server_auth = "auth:with,odd chars";
        auto plaintext = make_plaintext(m, digests);
        ASSERT_TRUE(plaintext) << plaintext.error().to_string();
        auto decoded = decode_plaintext(*plaintext, digests);
        ASSERT_TRUE(decoded) << decoded.error().to_string();
        EXPECT_EQ(decoded->message, m);
        EXPECT_EQ(decoded->encoded + ":" + decoded->digest, *plaintext);
      }
    }
  }
}

TEST(DecodePlaintext, TellsSha3DigestsFromSha2OfTheSameLength) {
  for (const auto& [sha2, sha3] :
       {std::pair{DigestType::kSha256, DigestType::kSha3_256}, std::pair{DigestType::kSha512, DigestType::kSha3_512}}) {
    Message m = sample();
    m.digest_type = sha2;
    const std::string p2 = *make_plaintext(m, DigestSet());
    m.digest_type = sha3;
    const std::string p3 = *make_plaintext(m, DigestSet());
    ASSERT_EQ(p2.size(), p3.size());
    ASSERT_NE(p2, p3);
    EXPECT_EQ(decode(p2)->message.digest_type, sha2);
    EXPECT_EQ(decode(p3)->message.digest_type, sha3);
  }
}

// ---- field count ------------------------------------------------------------------------------------------

TEST(DecodePlaintext, FewerThanSixSeparatorsIsTooFewFields) {
  // Type field dropped: five ':' in all, counting the digest's.
  const std::string plaintext = plaintext_of({"1234567890123456", kRoot, "1700000000", "1", kAccess});
  expect_error(decode(plaintext), ErrorCode::kTooFewFields, Field::kNone);
  expect_error(decode("1234567890123456:a:b:c:d:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"), ErrorCode::kTooFewFields,
               Field::kNone);
}

TEST(DecodePlaintext, ExtraFieldIsTooManyFieldsForEveryType) {
  // One ':' more than protocol.md §3.2 allows between the type field and the digest.
  const std::vector<std::vector<std::string_view>> cases = {
      {"0", kCommand, kSecret, "x"},
      {"1", kAccess, kSecret, "x"},
      {"2", kAccess, kNat, kSecret, "x"},
      {"5", kAccess, kNat, kSecret, "x"},
      {"3", kAccess, kSecret, "60", "x"},
      {"4", kAccess, kNat, kSecret, "60", "x"},
      {"6", kAccess, kNat, kSecret, "60", "x"},
  };
  for (const auto& tail : cases) {
    SCOPED_TRACE(std::string(tail[0]));
    std::vector<std::string_view> fields = {"1234567890123456", kRoot, "1700000000", "3.0.0"};
    fields.insert(fields.end(), tail.begin(), tail.end());
    expect_error(decode(plaintext_of(fields)), ErrorCode::kTooManyFields, Field::kNone);
    // Without the extra field the same plaintext decodes.
    fields.pop_back();
    auto decoded = decode(plaintext_of(fields));
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(decoded->message.server_auth, "secret");
  }
}

// ---- optional trailing fields (protocol.md §3.4) ----------------------------------------------------------

TEST(DecodePlaintext, AccessWithServerAuth) {
  auto decoded = decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", kAccess, kSecret}));
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->message.type, MessageType::kAccess);
  EXPECT_EQ(decoded->message.server_auth, "secret");
  EXPECT_EQ(decoded->message.client_timeout, 0u);
}

TEST(DecodePlaintext, ClientTimeoutAccessWithAndWithoutServerAuth) {
  auto plain = decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "3", kAccess, "60"}));
  ASSERT_TRUE(plain) << plain.error().to_string();
  EXPECT_EQ(plain->message.server_auth, std::nullopt);
  EXPECT_EQ(plain->message.client_timeout, 60u);

  auto with_auth =
      decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "3", kAccess, kSecret, "60"}));
  ASSERT_TRUE(with_auth) << with_auth.error().to_string();
  EXPECT_EQ(with_auth->message.server_auth, "secret");
  EXPECT_EQ(with_auth->message.client_timeout, 60u);
}

TEST(DecodePlaintext, ClientTimeoutNatWithServerAuthAndTimeout) {
  auto decoded =
      decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "4", kAccess, kNat, kSecret, "120"}));
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->message.type, MessageType::kClientTimeoutNatAccess);
  EXPECT_EQ(decoded->message.message, "1.2.3.4,tcp/22");
  EXPECT_EQ(decoded->message.nat_access, "192.168.10.23,5001");
  EXPECT_EQ(decoded->message.server_auth, "secret");
  EXPECT_EQ(decoded->message.client_timeout, 120u);
}

TEST(DecodePlaintext, AcceptsFieldsAtTheirLimits) {
  const std::string user48 = base64_encode(std::string(48, 'u'));
  ASSERT_EQ(user48.size(), 64u);
  auto decoded = decode(plaintext_of({"0000000000000000", user48, "2147483647", "12345678", "3", kAccess, "65536"}));
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->message.username, std::string(48, 'u'));
  EXPECT_EQ(decoded->message.timestamp, 2147483647u);
  EXPECT_EQ(decoded->message.version, "12345678");
  EXPECT_EQ(decoded->message.client_timeout, 65536u);
  EXPECT_TRUE(decode(plaintext_of({"1234567890123456", kRoot, "0", "3.0.0", "1", kAccess})));
}

// ---- per-field errors -------------------------------------------------------------------------------------

TEST(DecodePlaintext, RandomValueOf15DigitsIsInvalid) {
  expect_error(decode(plaintext_of({"123456789012345", kRoot, "1700000000", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldInvalid, Field::kRandomValue);
}

TEST(DecodePlaintext, RandomValueWithNonDigitIsInvalid) {
  expect_error(decode(plaintext_of({"123456789012345a", kRoot, "1700000000", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldInvalid, Field::kRandomValue);
}

TEST(DecodePlaintext, UsernameOf65Base64CharsIsTooLong) {
  const std::string user(65, 'A');
  expect_error(decode(plaintext_of({"1234567890123456", user, "1700000000", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldTooLong, Field::kUsername);
}

TEST(DecodePlaintext, UsernameMissing) {
  expect_error(decode(plaintext_of({"1234567890123456", "", "1700000000", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldMissing, Field::kUsername);
}

TEST(DecodePlaintext, UsernameBadBase64) {
  expect_error(decode(plaintext_of({"1234567890123456", "cm9v!A", "1700000000", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldBadBase64, Field::kUsername);
}

TEST(DecodePlaintext, UsernameWithForbiddenCharacterIsInvalid) {
  const std::string user = base64_encode("ro/ot");
  expect_error(decode(plaintext_of({"1234567890123456", user, "1700000000", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldInvalid, Field::kUsername);
  const std::string with_nul = base64_encode("ro\0ot"s);
  expect_error(decode(plaintext_of({"1234567890123456", with_nul, "1700000000", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldInvalid, Field::kUsername);
}

TEST(DecodePlaintext, TimestampOf13CharsIsTooLong) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1234567890123", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldTooLong, Field::kTimestamp);
}

TEST(DecodePlaintext, TimestampWithTrailingGarbageIsInvalid) {
  // Stricter than libfko's strtol (protocol.md §17.2), which reads "12x" as 12; fwknop's client never sends it.
  for (const std::string_view bad : {"12x", "+17", " 12", "abc", "-1"}) {
    SCOPED_TRACE(std::string(bad));
    expect_error(decode(plaintext_of({"1234567890123456", kRoot, bad, "3.0.0", "1", kAccess})),
                 ErrorCode::kFieldInvalid, Field::kTimestamp);
  }
}

TEST(DecodePlaintext, Timestamp2To31IsInvalid) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "2147483648", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldInvalid, Field::kTimestamp);
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "4294967296", "3.0.0", "1", kAccess})),
               ErrorCode::kFieldInvalid, Field::kTimestamp);
}

TEST(DecodePlaintext, TimestampMissing) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "", "3.0.0", "1", kAccess})), ErrorCode::kFieldMissing,
               Field::kTimestamp);
}

TEST(DecodePlaintext, VersionOf9CharsIsTooLong) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "123456789", "1", kAccess})),
               ErrorCode::kFieldTooLong, Field::kVersion);
}

TEST(DecodePlaintext, VersionMissing) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "", "1", kAccess})),
               ErrorCode::kFieldMissing, Field::kVersion);
}

TEST(DecodePlaintext, VersionContentIsNotChecked) {
  auto decoded = decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "any ver", "1", kAccess}));
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->message.version, "any ver");
}

TEST(DecodePlaintext, MessageType7IsInvalid) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "7", kAccess})),
               ErrorCode::kFieldInvalid, Field::kMessageType);
}

TEST(DecodePlaintext, MessageTypeWithSignIsInvalid) {
  // Stricter than libfko's strtol (protocol.md §17.2): "+1" and " 1" are refused.
  for (const std::string_view bad : {"+1", " 1", "-1", "x"}) {
    SCOPED_TRACE(std::string(bad));
    expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", bad, kAccess})),
                 ErrorCode::kFieldInvalid, Field::kMessageType);
  }
}

TEST(DecodePlaintext, MessageTypeOfThreeCharsIsTooLong) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "001", kAccess})),
               ErrorCode::kFieldTooLong, Field::kMessageType);
}

TEST(DecodePlaintext, MessageTypeMissing) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "", kAccess})),
               ErrorCode::kFieldMissing, Field::kMessageType);
}

TEST(DecodePlaintext, MessageMissing) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", ""})),
               ErrorCode::kFieldMissing, Field::kMessage);
}

TEST(DecodePlaintext, MessageOver256Base64CharsIsTooLong) {
  const std::string long_message(257, 'A');
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", long_message})),
               ErrorCode::kFieldTooLong, Field::kMessage);
}

TEST(DecodePlaintext, MessageBadBase64) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", "MS4y#"})),
               ErrorCode::kFieldBadBase64, Field::kMessage);
}

TEST(DecodePlaintext, InvalidAccessMessage) {
  const std::string icmp = base64_encode("1.2.3.4,icmp/1");
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", icmp})),
               ErrorCode::kFieldInvalid, Field::kMessage);
  // A command string is not an access message, and an access type is checked as one.
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", kCommand})),
               ErrorCode::kFieldInvalid, Field::kMessage);
}

TEST(DecodePlaintext, CommandWithoutCommandTextIsInvalid) {
  const std::string empty_command = base64_encode("10.4.4.4,");
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "0", empty_command})),
               ErrorCode::kFieldInvalid, Field::kMessage);
}

TEST(DecodePlaintext, NatMissingForNatType) {
  for (const std::string_view type : {"2", "5"}) {
    SCOPED_TRACE(std::string(type));
    expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", type, kAccess})),
                 ErrorCode::kFieldMissing, Field::kNatAccess);
  }
}

TEST(DecodePlaintext, InvalidNat) {
  const std::string bad_nat = base64_encode("192.168.10.23");
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "2", kAccess, bad_nat})),
               ErrorCode::kFieldInvalid, Field::kNatAccess);
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "2", kAccess, "M#"})),
               ErrorCode::kFieldBadBase64, Field::kNatAccess);
}

TEST(DecodePlaintext, TimeoutMissingForTimeoutType) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "3", kAccess})),
               ErrorCode::kFieldMissing, Field::kClientTimeout);
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "3", kAccess, ""})),
               ErrorCode::kFieldMissing, Field::kClientTimeout);
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "4", kAccess, kNat})),
               ErrorCode::kFieldMissing, Field::kClientTimeout);
}

TEST(DecodePlaintext, Timeout65537IsInvalid) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "3", kAccess, "65537"})),
               ErrorCode::kFieldInvalid, Field::kClientTimeout);
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "3", kAccess, "6x"})),
               ErrorCode::kFieldInvalid, Field::kClientTimeout);
}

TEST(DecodePlaintext, ServerAuthBadBase64) {
  expect_error(decode(plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", kAccess, "c2V#"})),
               ErrorCode::kFieldBadBase64, Field::kServerAuth);
}

// ---- framing and digest -----------------------------------------------------------------------------------

TEST(DecodePlaintext, DigestOfUnknownLengthIsRefused) {
  const std::string encoded = join({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", kAccess});
  const std::string digest = DigestSet().base64_digest(DigestType::kSha256, encoded);
  expect_error(decode(encoded + ":" + digest.substr(0, 42)), ErrorCode::kUnknownDigestLength, Field::kDigest);
  expect_error(decode(encoded + ":" + digest + "A"), ErrorCode::kUnknownDigestLength, Field::kDigest);
  expect_error(decode(encoded + ":"), ErrorCode::kUnknownDigestLength, Field::kDigest);
}

TEST(DecodePlaintext, WrongDigestIsMismatch) {
  for (const DigestType type : kAllDigests) {
    SCOPED_TRACE(static_cast<int>(type));
    const std::string encoded = join({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", kAccess});
    std::string digest = DigestSet().base64_digest(type, encoded);
    digest[digest.size() / 2] = digest[digest.size() / 2] == 'A' ? 'B' : 'A';
    expect_error(decode(encoded + ":" + digest), ErrorCode::kDigestMismatch, Field::kDigest);
  }
}

TEST(DecodePlaintext, DigestCoversEveryByteOfTheEncodedMessage) {
  // The digest is checked before the fields, so changing any field of a valid plaintext is a digest mismatch.
  std::string plaintext = plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", kAccess});
  plaintext[3] = '9';
  expect_error(decode(plaintext), ErrorCode::kDigestMismatch, Field::kDigest);
}

TEST(DecodePlaintext, NonPrintableByteIsRefused) {
  for (const char bad : {'\t', '\n', '\0', '\x7f', '\x80', '\xff'}) {
    SCOPED_TRACE(int(static_cast<unsigned char>(bad)));
    std::string plaintext = plaintext_of({"1234567890123456", kRoot, "1700000000", "3.0.0", "1", kAccess});
    plaintext.insert(plaintext.begin() + 20, bad);
    expect_error(decode(plaintext), ErrorCode::kNotPrintable, Field::kNone);
  }
}

TEST(DecodePlaintext, LengthOutside36To1499IsBadLength) {
  expect_error(decode(std::string(35, '1')), ErrorCode::kBadLength, Field::kNone);
  expect_error(decode(std::string(1500, '1')), ErrorCode::kBadLength, Field::kNone);
  expect_error(decode(""), ErrorCode::kBadLength, Field::kNone);
  // 36 and 1499 pass the length check and fail later.
  EXPECT_NE(decode(std::string(36, '1')).error().code, ErrorCode::kBadLength);
  EXPECT_NE(decode(std::string(1499, '1')).error().code, ErrorCode::kBadLength);
}

}  // namespace
}  // namespace sesame::spa
