// SPDX-License-Identifier: GPL-2.0-or-later
// The Rijndael layer (protocol.md §4) against OpenSSL's own EVP_BytesToKey and AES, plus fwknop's quirks:
// legacy key padding, PKCS#7 in every mode, lenient unpadding, and the blob length checks.
#include "spa/rijndael.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

namespace sesame::spa {
namespace {

constexpr EncryptionMode kAllModes[] = {EncryptionMode::kEcb, EncryptionMode::kCbc, EncryptionMode::kCfb,
                                        EncryptionMode::kOfb, EncryptionMode::kCtr, EncryptionMode::kCbcLegacyIv};
constexpr Salt kSalt = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

RijndaelCipher make_cipher(EncryptionMode mode, std::string_view key) {
  auto cipher = RijndaelCipher::create(mode, SecretBytes::from_text(key));
  EXPECT_TRUE(cipher) << cipher.error().to_string();
  return std::move(*cipher);
}

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::vector<std::uint8_t> to_vector(std::span<const std::uint8_t> bytes) {
  return {bytes.begin(), bytes.end()};
}

const EVP_CIPHER* openssl_cipher(EncryptionMode mode) {
  switch (mode) {
    case EncryptionMode::kEcb:
      return EVP_aes_256_ecb();
    case EncryptionMode::kCfb:
      return EVP_aes_256_cfb128();
    case EncryptionMode::kOfb:
      return EVP_aes_256_ofb();
    case EncryptionMode::kCtr:
      return EVP_aes_256_ctr();
    default:
      return EVP_aes_256_cbc();
  }
}

// What `openssl enc -aes-256-<mode> -md md5 -S <salt> -pass pass:<key>` does, through OpenSSL's legacy API, with
// PKCS#7 applied by hand (openssl enc does not pad the stream modes, fwknop does) and no further padding.
std::string openssl_reference_encrypt(EncryptionMode mode, std::string_view passphrase, const Salt& salt,
                                      std::string plaintext, bool add_padding = true) {
  std::array<unsigned char, 32> key{};
  std::array<unsigned char, 16> iv{};
  EXPECT_EQ(EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(), salt.data(),
                           reinterpret_cast<const unsigned char*>(passphrase.data()), int(passphrase.size()), 1,
                           key.data(), iv.data()),
            32);
  if (add_padding) {
    const std::size_t pad = 16 - plaintext.size() % 16;
    plaintext.append(pad, char(pad));
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::string out(plaintext.size() + 16, '\0');
  int written = 0;
  int final_written = 0;
  auto* out_bytes = reinterpret_cast<unsigned char*>(out.data());
  EXPECT_EQ(EVP_EncryptInit_ex(ctx, openssl_cipher(mode), nullptr, key.data(), iv.data()), 1);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  EXPECT_EQ(EVP_EncryptUpdate(ctx, out_bytes, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
                              int(plaintext.size())),
            1);
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx, out_bytes + written, &final_written), 1);
  EVP_CIPHER_CTX_free(ctx);
  out.resize(std::size_t(written + final_written));
  std::string blob = "Salted__";
  blob.append(reinterpret_cast<const char*>(salt.data()), salt.size());
  return blob + out;
}

TEST(RijndaelDerive, EqualsOpenSslEvpBytesToKey) {
  for (const std::string& passphrase :
       {std::string("k"), std::string("0123456789abcdef"), std::string("0123456789abcdef0123456789ABCDEF"),
        std::string("\0\x01\xff", 3)}) {
    SCOPED_TRACE(passphrase.size());
    for (const Salt& salt : {kSalt, Salt{}, Salt{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}) {
      std::array<unsigned char, 32> key{};
      std::array<unsigned char, 16> iv{};
      ASSERT_EQ(EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(), salt.data(),
                               reinterpret_cast<const unsigned char*>(passphrase.data()), int(passphrase.size()), 1,
                               key.data(), iv.data()),
                32);
      auto cipher = make_cipher(EncryptionMode::kCbc, passphrase);
      auto derived = cipher.derive(salt);
      ASSERT_TRUE(derived) << derived.error().to_string();
      EXPECT_EQ(to_vector(derived->key.bytes()), std::vector<std::uint8_t>(key.begin(), key.end()));
      EXPECT_EQ(to_vector(derived->iv.bytes()), std::vector<std::uint8_t>(iv.begin(), iv.end()));
    }
  }
}

TEST(RijndaelDerive, LegacyPadsShortKeyWithAsciiZeros) {
  auto legacy = make_cipher(EncryptionMode::kCbcLegacyIv, "fwknoptest");
  auto padded = make_cipher(EncryptionMode::kCbc, "fwknoptest000000");
  EXPECT_TRUE(legacy.derive(kSalt)->key.equals(padded.derive(kSalt)->key));
  EXPECT_TRUE(legacy.derive(kSalt)->iv.equals(padded.derive(kSalt)->iv));
}

TEST(RijndaelEncrypt, LegacyShortKeyInteroperatesWithZeroPaddedKey) {
  auto legacy = make_cipher(EncryptionMode::kCbcLegacyIv, "fwknoptest");
  auto padded = make_cipher(EncryptionMode::kCbc, "fwknoptest000000");
  const std::string plaintext = "1234567890123456:legacy plaintext";
  auto blob = legacy.encrypt(plaintext, kSalt);
  ASSERT_TRUE(blob);
  EXPECT_EQ(*blob, *padded.encrypt(plaintext, kSalt));
  EXPECT_EQ(*padded.decrypt(as_bytes(*blob)), plaintext);
  auto back = padded.encrypt(plaintext, Salt{9, 8, 7, 6, 5, 4, 3, 2});
  EXPECT_EQ(*legacy.decrypt(as_bytes(*back)), plaintext);
}

TEST(RijndaelEncrypt, LegacyLongKeyUsesItsFirst16Bytes) {
  const std::string key20 = "0123456789abcdefWXYZ";
  auto legacy = make_cipher(EncryptionMode::kCbcLegacyIv, key20);
  auto first16 = make_cipher(EncryptionMode::kCbc, key20.substr(0, 16));
  auto full = make_cipher(EncryptionMode::kCbc, key20);
  const std::string plaintext = "1234567890123456:twenty byte key";
  auto blob = legacy.encrypt(plaintext, kSalt);
  ASSERT_TRUE(blob);
  EXPECT_EQ(*first16.decrypt(as_bytes(*blob)), plaintext);
  EXPECT_NE(*full.encrypt(plaintext, kSalt), *blob);
  EXPECT_EQ(*legacy.decrypt(as_bytes(*first16.encrypt(plaintext, kSalt))), plaintext);
}

TEST(RijndaelCreate, RejectsKeyLongerThan32BytesExceptInLegacyMode) {
  const std::string key33(33, 'k');
  for (const EncryptionMode mode : kAllModes) {
    SCOPED_TRACE(static_cast<int>(mode));
    EXPECT_TRUE(RijndaelCipher::create(mode, SecretBytes::from_text(std::string(32, 'k'))));
    auto cipher = RijndaelCipher::create(mode, SecretBytes::from_text(key33));
    if (mode == EncryptionMode::kCbcLegacyIv) {
      EXPECT_TRUE(cipher) << "legacy mode truncates to 16 bytes as fwknop does";
    } else {
      ASSERT_FALSE(cipher);
      EXPECT_EQ(cipher.error().code, ErrorCode::kInvalidKey);
    }
  }
}

TEST(RijndaelCreate, RejectsEmptyKey) {
  for (const EncryptionMode mode : kAllModes) {
    SCOPED_TRACE(static_cast<int>(mode));
    auto cipher = RijndaelCipher::create(mode, SecretBytes());
    ASSERT_FALSE(cipher);
    EXPECT_EQ(cipher.error().code, ErrorCode::kInvalidKey);
  }
}

TEST(RijndaelCreate, RejectsAsymmetricMode) {
  auto cipher = RijndaelCipher::create(EncryptionMode::kAsymmetric, SecretBytes::from_text("key"));
  ASSERT_FALSE(cipher);
  EXPECT_EQ(cipher.error().code, ErrorCode::kInvalidArgument);
}

TEST(RijndaelEncrypt, MatchesOpenSslForEveryMode) {
  for (const EncryptionMode mode : kAllModes) {
    SCOPED_TRACE(static_cast<int>(mode));
    const std::string_view key = mode == EncryptionMode::kCbcLegacyIv ? "0123456789abcdef" : "a passphrase";
    auto cipher = make_cipher(mode, key);
    for (const std::size_t size : {0u, 1u, 15u, 16u, 17u, 100u}) {
      const std::string plaintext(size, 'p');
      EXPECT_EQ(*cipher.encrypt(plaintext, kSalt), openssl_reference_encrypt(mode, key, kSalt, plaintext)) << size;
    }
  }
}

TEST(RijndaelEncrypt, CiphertextIsWholeBlocksWithPaddingInEveryMode) {
  for (const EncryptionMode mode : kAllModes) {
    SCOPED_TRACE(static_cast<int>(mode));
    auto cipher = make_cipher(mode, "key");
    for (std::size_t size = 0; size <= 64; ++size) {
      auto blob = cipher.encrypt(std::string(size, 'x'), kSalt);
      ASSERT_TRUE(blob);
      // Even a multiple of 16 gets a whole block of padding; the stream modes are padded too.
      EXPECT_EQ(blob->size(), 16 + 16 * (size / 16 + 1)) << size;
    }
  }
}

TEST(RijndaelEncrypt, BlobStartsWithSaltedMagicAndSalt) {
  for (const EncryptionMode mode : kAllModes) {
    auto blob = make_cipher(mode, "key").encrypt("hello", kSalt);
    ASSERT_TRUE(blob);
    EXPECT_EQ(blob->substr(0, 8), "Salted__");
    EXPECT_EQ(blob->substr(8, 8), std::string(reinterpret_cast<const char*>(kSalt.data()), 8));
  }
}

TEST(RijndaelEncrypt, RoundTripsEveryModeAndLength) {
  for (const EncryptionMode mode : kAllModes) {
    SCOPED_TRACE(static_cast<int>(mode));
    auto cipher = make_cipher(mode, "round trip key");
    for (std::size_t size = 1; size <= 50; ++size) {
      std::string plaintext;
      for (std::size_t i = 0; i < size; ++i) plaintext += char('a' + (i * 7) % 26);
      auto blob = cipher.encrypt(plaintext, kSalt);
      ASSERT_TRUE(blob);
      auto back = cipher.decrypt(as_bytes(*blob));
      ASSERT_TRUE(back) << back.error().to_string();
      EXPECT_EQ(*back, plaintext);
    }
  }
}

TEST(RijndaelEncrypt, SaltChangesCiphertext) {
  auto cipher = make_cipher(EncryptionMode::kCbc, "key");
  EXPECT_NE(*cipher.encrypt("same plaintext", kSalt), *cipher.encrypt("same plaintext", Salt{}));
}

TEST(RijndaelDecrypt, RejectsBadBlobLengths) {
  auto cipher = make_cipher(EncryptionMode::kCbc, "key");
  const std::string good = *cipher.encrypt("some plaintext of a few blocks....", kSalt);
  for (const std::size_t size : {0u, 8u, 16u, 17u, 31u, 33u, 47u}) {
    SCOPED_TRACE(size);
    auto result = cipher.decrypt(as_bytes(good.substr(0, size)));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kBadCipherLength);
  }
  auto extra = cipher.decrypt(as_bytes(good + "x"));
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().code, ErrorCode::kBadCipherLength);
}

TEST(RijndaelDecrypt, DoesNotCheckSaltedMagic) {
  // libfko only skips the first 8 bytes; the salt is bytes 8..15.
  auto cipher = make_cipher(EncryptionMode::kCbc, "key");
  std::string blob = *cipher.encrypt("plaintext", kSalt);
  blob.replace(0, 8, "XXXXXXXX");
  EXPECT_EQ(*cipher.decrypt(as_bytes(blob)), "plaintext");
}

TEST(RijndaelDecrypt, KeepsBytesWhenPaddingIsMalformed) {
  for (const EncryptionMode mode : {EncryptionMode::kCbc, EncryptionMode::kCtr}) {
    SCOPED_TRACE(static_cast<int>(mode));
    auto cipher = make_cipher(mode, "key");
    // Raw plaintexts encrypted without padding: their tails are not valid PKCS#7, so every byte is kept.
    for (const std::string& raw :
         {std::string(32, 'A'), std::string(15, 'B') + "\x03", std::string(14, 'C') + "\x02\x03",
          std::string(31, 'D') + std::string(1, '\0'), std::string(31, 'E') + "\x11"}) {
      const std::string blob = openssl_reference_encrypt(mode, "key", kSalt, raw, /*add_padding=*/false);
      auto back = cipher.decrypt(as_bytes(blob));
      ASSERT_TRUE(back) << back.error().to_string();
      EXPECT_EQ(*back, raw);
    }
  }
}

TEST(RijndaelDecrypt, StripsWellFormedPaddingOfAnyLength) {
  auto cipher = make_cipher(EncryptionMode::kCbc, "key");
  for (int pad = 1; pad <= 16; ++pad) {
    const std::string body(32 - pad, 'z');
    const std::string raw = body + std::string(std::size_t(pad), char(pad));
    auto back = cipher.decrypt(as_bytes(openssl_reference_encrypt(EncryptionMode::kCbc, "key", kSalt, raw, false)));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, body) << pad;
  }
}

TEST(RijndaelDecrypt, PaddingOnlyPlaintextIsDecryptionFailure) {
  auto cipher = make_cipher(EncryptionMode::kCbc, "key");
  auto result = cipher.decrypt(as_bytes(*cipher.encrypt("", kSalt)));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDecryptionFailed);
}

TEST(RijndaelEncrypt, CbcMatchesOpenSslCommandLine) {
  // protocol.md §4.1: the blob is exactly `openssl enc -aes-256-cbc -md md5 -S <salt> -pass pass:<P>`.
  FILE* pipe = popen(
      "printf '%s' '1234567890123456:hello openssl' | openssl enc -aes-256-cbc -md md5 -S 0123456789abcdef "
      "-pass pass:fwknoptest 2>/dev/null",
      "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  for (std::size_t got; (got = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, got);
  if (pclose(pipe) != 0 || output.empty()) GTEST_SKIP() << "openssl command line tool not available";
  auto cipher = make_cipher(EncryptionMode::kCbc, "fwknoptest");
  const std::string blob = *cipher.encrypt("1234567890123456:hello openssl", kSalt);
  // OpenSSL 3 leaves out the "Salted__" header when the salt is given with -S; older versions wrote it.
  EXPECT_EQ(output.starts_with("Salted__") ? blob : blob.substr(16), output);
}

}  // namespace
}  // namespace sesame::spa
