// SPDX-License-Identifier: GPL-2.0-or-later
// Modern mode (docs/modern-mode.md): X25519 against RFC 7748, the AEADs against RFC 8439 and OpenSSL, and whole
// packets against an independent construction with OpenSSL 3 (X25519, HKDF, ChaCha20-Poly1305, AES-256-GCM), so the
// known-answer vectors below were not merely produced by the code they test.
#include "spa/modern_codec.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <optional>
#include <string>
#include <vector>

#include "spa/base64.h"
#include "spa/message_codec.h"

namespace sesame::spa {
namespace {

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    bytes.push_back(static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  return bytes;
}

X25519PublicKey public_key_from_hex(std::string_view text) {
  X25519PublicKey key{};
  const auto bytes = hex(text);
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

// RFC 7748 §6.1: Alice plays the client, Bob the server.
const std::string_view kAlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const std::string_view kAlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const std::string_view kBobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
const std::string_view kBobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const std::string_view kSharedSecret = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

SecretBytes secret_from_hex(std::string_view text) {
  return SecretBytes(hex(text));
}

Message sample_message() {
  Message message;
  message.random_value = "1234567890123456";
  message.username = "alice";
  message.timestamp = 1764150000;
  message.message = "192.0.2.7,tcp/22";
  return message;
}

constexpr AeadNonce kNonce = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

// ---- OpenSSL reference ----------------------------------------------------------------------------------------

std::vector<std::uint8_t> openssl_x25519(std::string_view private_hex, std::string_view peer_public_hex) {
  const auto priv = hex(private_hex);
  const auto peer = hex(peer_public_hex);
  EVP_PKEY* own = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size());
  EVP_PKEY* other = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size());
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(own, nullptr);
  std::vector<std::uint8_t> shared(32);
  std::size_t size = shared.size();
  EXPECT_EQ(EVP_PKEY_derive_init(ctx), 1);
  EXPECT_EQ(EVP_PKEY_derive_set_peer(ctx, other), 1);
  EXPECT_EQ(EVP_PKEY_derive(ctx, shared.data(), &size), 1);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(other);
  EVP_PKEY_free(own);
  return shared;
}

std::vector<std::uint8_t> openssl_hkdf(const std::vector<std::uint8_t>& ikm, std::string_view salt,
                                       const std::vector<std::uint8_t>& info) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_octet_string("key", const_cast<std::uint8_t*>(ikm.data()), ikm.size()),
                         OSSL_PARAM_construct_octet_string("salt", const_cast<char*>(salt.data()), salt.size()),
                         OSSL_PARAM_construct_octet_string("info", const_cast<std::uint8_t*>(info.data()), info.size()),
                         OSSL_PARAM_construct_end()};
  std::vector<std::uint8_t> key(32);
  EXPECT_EQ(EVP_KDF_derive(ctx, key.data(), key.size(), params), 1);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return key;
}

std::vector<std::uint8_t> openssl_seal(AeadSuite suite, const std::vector<std::uint8_t>& key, const AeadNonce& nonce,
                                       const std::vector<std::uint8_t>& ad, std::string_view plaintext) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const EVP_CIPHER* cipher = suite == AeadSuite::kAes256Gcm ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
  EXPECT_EQ(EVP_EncryptInit_ex(ctx, cipher, nullptr, key.data(), nonce.data()), 1);
  int size = 0;
  EXPECT_EQ(EVP_EncryptUpdate(ctx, nullptr, &size, ad.data(), int(ad.size())), 1);
  std::vector<std::uint8_t> out(plaintext.size() + 16);
  EXPECT_EQ(EVP_EncryptUpdate(ctx, out.data(), &size, reinterpret_cast<const unsigned char*>(plaintext.data()),
                              int(plaintext.size())),
            1);
  int final_size = 0;
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx, out.data() + size, &final_size), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + plaintext.size()), 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// The whole packet as docs/modern-mode.md specifies it, built only with OpenSSL and the spec's labels.
std::string openssl_packet(AeadSuite suite, const Message& message,
                           std::optional<std::uint64_t> header_timestamp = std::nullopt) {
  const auto shared = openssl_x25519(kAlicePrivate, kBobPublic);
  const auto client = hex(kAlicePublic);
  const auto server = hex(kBobPublic);
  std::vector<std::uint8_t> info;
  for (char c : std::string_view("sesame modern v1 key")) info.push_back(std::uint8_t(c));
  info.push_back(static_cast<std::uint8_t>(suite));
  info.insert(info.end(), client.begin(), client.end());
  info.insert(info.end(), server.begin(), server.end());
  const auto key = openssl_hkdf(shared, "sesame modern v1", info);

  std::string id_input = "sesame modern v1 key id";
  id_input.append(client.begin(), client.end());
  id_input.append(server.begin(), server.end());
  std::array<unsigned char, 32> id_digest{};
  EXPECT_EQ(EVP_Digest(id_input.data(), id_input.size(), id_digest.data(), nullptr, EVP_sha256(), nullptr), 1);

  std::vector<std::uint8_t> header = {1, static_cast<std::uint8_t>(suite)};
  header.insert(header.end(), id_digest.begin(), id_digest.begin() + 8);
  const std::uint64_t timestamp = header_timestamp.value_or(message.timestamp);
  for (int shift = 56; shift >= 0; shift -= 8) header.push_back(std::uint8_t(timestamp >> shift));
  header.insert(header.end(), kNonce.begin(), kNonce.end());
  const auto sealed = openssl_seal(suite, key, kNonce, header, *encode_message(message));
  header.insert(header.end(), sealed.begin(), sealed.end());
  return base64_encode(header);
}

ModernCodec client_codec(AeadSuite suite) {
  auto codec = ModernCodec::for_client(suite, secret_from_hex(kAlicePrivate), public_key_from_hex(kBobPublic));
  EXPECT_TRUE(codec) << codec.error().to_string();
  return std::move(*codec);
}

ModernCodec server_codec(AeadSuite suite) {
  auto codec = ModernCodec::for_server(suite, secret_from_hex(kBobPrivate), public_key_from_hex(kAlicePublic));
  EXPECT_TRUE(codec) << codec.error().to_string();
  return std::move(*codec);
}

// ---- X25519 -----------------------------------------------------------------------------------------------------

TEST(X25519Test, Rfc7748PublicKeysAndSharedSecret) {
  EXPECT_EQ(*x25519_public_key(secret_from_hex(kAlicePrivate)), public_key_from_hex(kAlicePublic));
  EXPECT_EQ(*x25519_public_key(secret_from_hex(kBobPrivate)), public_key_from_hex(kBobPublic));
  const auto shared = x25519_shared_secret(secret_from_hex(kAlicePrivate), public_key_from_hex(kBobPublic));
  ASSERT_TRUE(shared);
  const auto expected = hex(kSharedSecret);
  EXPECT_TRUE(std::equal(shared->bytes().begin(), shared->bytes().end(), expected.begin(), expected.end()));
}

TEST(X25519Test, Rfc7748Section52Vector) {
  // Scalar and u-coordinate of RFC 7748 §5.2, first vector (the scalar is clamped by the function).
  const auto shared =
      x25519_shared_secret(secret_from_hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                           public_key_from_hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));
  ASSERT_TRUE(shared);
  const auto expected = hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  EXPECT_TRUE(std::equal(shared->bytes().begin(), shared->bytes().end(), expected.begin(), expected.end()));
}

TEST(X25519Test, GeneratedPairsAgreeWithOpenSsl) {
  for (int i = 0; i < 8; ++i) {
    auto a = generate_x25519_key_pair();
    auto b = generate_x25519_key_pair();
    ASSERT_TRUE(a && b);
    const auto ours = x25519_shared_secret(a->private_key, b->public_key);
    const auto theirs = x25519_shared_secret(b->private_key, a->public_key);
    ASSERT_TRUE(ours && theirs);
    EXPECT_TRUE(ours->equals(*theirs));
    std::string a_hex;
    for (auto byte : a->private_key.bytes())
      a_hex += "0123456789abcdef"[byte >> 4], a_hex += "0123456789abcdef"[byte & 15];
    std::string b_pub_hex;
    for (auto byte : b->public_key)
      b_pub_hex += "0123456789abcdef"[byte >> 4], b_pub_hex += "0123456789abcdef"[byte & 15];
    const auto reference = openssl_x25519(a_hex, b_pub_hex);
    EXPECT_TRUE(std::equal(ours->bytes().begin(), ours->bytes().end(), reference.begin(), reference.end()));
  }
}

TEST(X25519Test, RefusesLowOrderPointsAndBadKeySizes) {
  const auto zero = x25519_shared_secret(secret_from_hex(kAlicePrivate), X25519PublicKey{});
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidKey);
  EXPECT_FALSE(x25519_public_key(SecretBytes::from_text("short")));
  EXPECT_FALSE(ModernCodec::for_server(kDefaultAeadSuite, secret_from_hex(kBobPrivate), X25519PublicKey{}));
}

// ---- AEADs ------------------------------------------------------------------------------------------------------

TEST(AeadTest, ChaCha20Poly1305Rfc8439Section282) {
  const auto key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  const AeadNonce nonce = {0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47};
  const auto ad = hex("50515253c0c1c2c3c4c5c6c7");
  const std::string plaintext =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would "
      "be it.";
  auto aead = Aead::create(AeadSuite::kChaCha20Poly1305, SecretBytes(key));
  ASSERT_TRUE(aead);
  const auto sealed = aead->seal(nonce, ad, plaintext);
  const auto expected_tag = hex("1ae10b594f09e26a7e902ecbd0600691");
  EXPECT_TRUE(std::equal(sealed.end() - 16, sealed.end(), expected_tag.begin()));
  const auto expected_start = hex("d31a8d34648e60db7b86afbc53ef7ec2");
  EXPECT_TRUE(std::equal(expected_start.begin(), expected_start.end(), sealed.begin()));
  EXPECT_EQ(aead->open(nonce, ad, sealed), plaintext);
}

TEST(AeadTest, BothSuitesMatchOpenSslAndRefuseAnyChange) {
  const auto key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const std::vector<std::uint8_t> ad = {1, 2, 3};
  for (const AeadSuite suite : {AeadSuite::kChaCha20Poly1305, AeadSuite::kAes256Gcm}) {
    auto aead = Aead::create(suite, SecretBytes(key));
    ASSERT_TRUE(aead);
    const auto sealed = aead->seal(kNonce, ad, "attack at dawn");
    EXPECT_EQ(sealed, openssl_seal(suite, key, kNonce, ad, "attack at dawn")) << aead_suite_name(suite);
    for (std::size_t i = 0; i < sealed.size(); ++i) {
      auto changed = sealed;
      changed[i] ^= 0x01;
      EXPECT_FALSE(aead->open(kNonce, ad, changed)) << "byte " << i;
    }
    EXPECT_FALSE(aead->open(kNonce, std::vector<std::uint8_t>{1, 2, 4}, sealed));
    EXPECT_FALSE(aead->open(kNonce, ad, std::span(sealed).first(15)));
  }
}

TEST(AeadTest, SuiteNames) {
  EXPECT_EQ(parse_aead_suite("chacha20-poly1305"), AeadSuite::kChaCha20Poly1305);
  EXPECT_EQ(parse_aead_suite("AES-256-GCM"), AeadSuite::kAes256Gcm);
  EXPECT_FALSE(parse_aead_suite("aes-128-gcm"));
  EXPECT_EQ(aead_suite_name(AeadSuite::kAes256Gcm), "aes-256-gcm");
}

// ---- Packets ----------------------------------------------------------------------------------------------------

// Known answers, each equal to the OpenSSL construction (checked below) and kept here as text so that a change of
// the format shows as a changed vector.
struct PacketVector {
  AeadSuite suite;
  std::string_view wire;
};
const PacketVector kVectors[] = {
    {AeadSuite::kChaCha20Poly1305,
     "AQHug90btWoQbQAAAABpJsrwAAECAwQFBgcICQoLD+XNLWD/cWmT/"
     "KPxo5SepfSyyAAHo3WMhor3MJM4hJ6LhK0CUgKNwgb3ajW1lXawRPnq0S9MhCG5fPt6adJy/ETr7nvX7PXMePx9ihBpxjylbA"},
    {AeadSuite::kAes256Gcm,
     "AQLug90btWoQbQAAAABpJsrwAAECAwQFBgcICQoL+lNxkINwZLPWYoSGBZ+Wwf3T+DEr6h0L2T9KnYBR4loUgpI/"
     "vb9qhWX9PjBls0YAQOa0kpbv40edaualLtoA4BqQbIhEqhqJDv8bMKSnBIemeA"},
};

TEST(ModernCodecTest, KnownAnswerVectorsEqualTheOpenSslConstruction) {
  for (const auto& vector : kVectors) {
    auto client = client_codec(vector.suite);
    const auto wire = client.encode(sample_message(), {.nonce = kNonce});
    ASSERT_TRUE(wire) << wire.error().to_string();
    EXPECT_EQ(*wire, openssl_packet(vector.suite, sample_message())) << aead_suite_name(vector.suite);
    EXPECT_EQ(*wire, vector.wire) << aead_suite_name(vector.suite);
    auto server = server_codec(vector.suite);
    const auto decoded = server.decode(vector.wire);
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(*decoded, sample_message());
  }
}

TEST(ModernCodecTest, BothSidesDeriveTheSameKeyId) {
  const auto client = client_codec(kDefaultAeadSuite);
  const auto server = server_codec(kDefaultAeadSuite);
  EXPECT_EQ(client.key_id(), server.key_id());
  EXPECT_EQ(client.key_id(), modern_key_id(public_key_from_hex(kAlicePublic), public_key_from_hex(kBobPublic)));
  EXPECT_NE(client.key_id(), modern_key_id(public_key_from_hex(kBobPublic), public_key_from_hex(kAlicePublic)));
}

TEST(ModernCodecTest, RoundTripsEveryMessageTypeWithRandomNonces) {
  Message nat = sample_message();
  nat.type = MessageType::kClientTimeoutNatAccess;
  nat.nat_access = "10.0.0.5,22";
  nat.client_timeout = 45;
  Message command = sample_message();
  command.type = MessageType::kCommand;
  command.message = "192.0.2.7,echo hello";
  for (const AeadSuite suite : {AeadSuite::kChaCha20Poly1305, AeadSuite::kAes256Gcm}) {
    auto client = client_codec(suite);
    auto server = server_codec(suite);
    for (const Message& message : {sample_message(), nat, command}) {
      const auto first = client.encode(message);
      const auto second = client.encode(message);
      ASSERT_TRUE(first && second);
      EXPECT_NE(*first, *second);  // a fresh nonce each time
      EXPECT_EQ(*server.decode(*first), message);
    }
  }
}

TEST(ModernCodecTest, AnyChangedByteIsRefused) {
  auto client = client_codec(kDefaultAeadSuite);
  auto server = server_codec(kDefaultAeadSuite);
  const auto packet = *base64_decode(*client.encode(sample_message(), {.nonce = kNonce}));
  for (std::size_t i = 0; i < packet.size(); ++i) {
    auto changed = packet;
    changed[i] ^= 0x80;
    const auto header = read_modern_header(changed);
    if (!header) continue;  // the version or suite byte: not a modern packet at all
    EXPECT_FALSE(server.open(changed, *header)) << "byte " << i;
  }
}

TEST(ModernCodecTest, RefusesOtherKeysSuitesAndVersions) {
  auto client = client_codec(AeadSuite::kChaCha20Poly1305);
  const auto wire = *client.encode(sample_message());
  auto gcm_server = server_codec(AeadSuite::kAes256Gcm);
  EXPECT_FALSE(gcm_server.decode(wire));
  auto stranger = generate_x25519_key_pair();
  auto other_server = ModernCodec::for_server(kDefaultAeadSuite, secret_from_hex(kBobPrivate), stranger->public_key);
  ASSERT_TRUE(other_server);
  EXPECT_FALSE(other_server->decode(wire));
  auto packet = *base64_decode(wire);
  packet[0] = 2;
  EXPECT_FALSE(read_modern_header(packet));
  packet[0] = 1;
  packet[1] = 3;
  EXPECT_FALSE(read_modern_header(packet));
  EXPECT_FALSE(read_modern_header(std::span(packet).first(kModernHeaderSize + 15)));
}

// Found by modern_decode_fuzz: a client-timeout type whose timeout is 0 is valid (fwknopd then uses
// FW_ACCESS_TIMEOUT), and the encoder sends it as the plain type, as libfko does.
TEST(ModernCodecTest, ClientTimeoutTypeWithTimeoutZeroTravelsAsThePlainType) {
  const auto message = decode_message(
      "1234658790123456:ZnV6eiB1c2Vy:1700000000:3.0.0:4:MTAuMC4wLjEsdGNwLzIyLHVkcC81Mw:MTcyLjE2OC4xLjIsMjI:0");
  ASSERT_TRUE(message) << message.error().to_string();
  EXPECT_EQ(message->type, MessageType::kClientTimeoutNatAccess);
  EXPECT_EQ(message->client_timeout, 0u);
  auto client = client_codec(kDefaultAeadSuite);
  auto server = server_codec(kDefaultAeadSuite);
  const auto opened = server.decode(*client.encode(*message));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->type, MessageType::kNatAccess);
  EXPECT_EQ(opened->nat_access, message->nat_access);
  EXPECT_EQ(opened->message, message->message);
}

TEST(ModernCodecTest, SealedTimestampMustEqualTheHeaders) {
  // A client that seals one time and announces another in the header (authentic, so the tag verifies) is refused.
  auto server = server_codec(kDefaultAeadSuite);
  const auto packet = *base64_decode(openssl_packet(kDefaultAeadSuite, sample_message(), 1764150001));
  const auto opened = server.open(packet, *read_modern_header(packet));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().field, Field::kTimestamp);
}

}  // namespace
}  // namespace sesame::spa
