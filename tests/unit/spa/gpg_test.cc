// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the gpgme layer against scratch GNUPGHOMEs holding the throw-away keys of tests/data.
#include "spa/gpg.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "spa/base64.h"
#include "support/gpg_home.h"
#include "support/test_vectors.h"

namespace sesame::spa {
namespace {

using test::GpgKeys;
using test::kGpgServerKeyId;
using test::kGpgSignerFingerprint;
using test::kGpgSignerKeyId;

constexpr const char* kPlaintext = "1852629479117976:Z3BndXNlcg:1795374326:3.0.0:1:MTAuNi42LjYsdGNwLzIy:digest";

GpgDecryptParams no_passphrase(const std::string& home_dir) {
  GpgDecryptParams params;
  params.home_dir = home_dir;
  params.allow_no_passphrase = true;
  return params;
}

GpgEncryptParams to_server(const std::string& home_dir, const std::string& signer = {}) {
  GpgEncryptParams params;
  params.home_dir = home_dir;
  params.recipient = kGpgServerKeyId;
  params.signer = signer;
  return params;
}

// One home with both test keys, trusted, shared by the suite (one gpg-agent instead of one per test).
using GpgTest = test::SharedGpgHome<>;

TEST_F(GpgTest, EncryptOnlyRoundTripHasNoSignature) {
  const auto blob = gpg_encrypt(kPlaintext, to_server(home()));
  ASSERT_TRUE(blob) << blob.error().detail;
  const auto decrypted = gpg_decrypt(*blob, no_passphrase(home()));
  ASSERT_TRUE(decrypted) << decrypted.error().detail;
  EXPECT_EQ(decrypted->plaintext, kPlaintext);
  EXPECT_FALSE(decrypted->signature.present);
  EXPECT_FALSE(decrypted->signature.good);
}

TEST_F(GpgTest, SignedRoundTripReportsGoodSignatureOfSigner) {
  const auto blob = gpg_encrypt(kPlaintext, to_server(home(), kGpgSignerKeyId));
  ASSERT_TRUE(blob) << blob.error().detail;
  const auto decrypted = gpg_decrypt(*blob, no_passphrase(home()));
  ASSERT_TRUE(decrypted) << decrypted.error().detail;
  EXPECT_EQ(decrypted->plaintext, kPlaintext);
  const GpgSignature& sig = decrypted->signature;
  EXPECT_TRUE(sig.present);
  EXPECT_TRUE(sig.good) << sig.status_text << " validity " << sig.validity;
  EXPECT_EQ(sig.fingerprint, kGpgSignerFingerprint);
  EXPECT_EQ(sig.id, "CB817768");
  EXPECT_GE(sig.validity, 3);  // the fixture's ultimate owner trust: gpgme 1.18 reports it as 4 (full)
  EXPECT_EQ(sig.status_text, "Success");
}

// protocol.md §5: the wire drops the constant "hQ" of the old-format PKESK packet (0x85 0x01 for RSA-2048).
TEST_F(GpgTest, MessageStartsWithSessionKeyPacketSoBase64StartsWithHQ) {
  for (const std::string signer : {"", kGpgSignerKeyId}) {
    const auto blob = gpg_encrypt(kPlaintext, to_server(home(), signer));
    ASSERT_TRUE(blob) << blob.error().detail;
    ASSERT_GE(blob->size(), 2u);
    EXPECT_EQ((*blob)[0], 0x85);
    EXPECT_EQ((*blob)[1], 0x01);
    EXPECT_EQ(base64_encode(*blob).substr(0, 2), "hQ");
  }
}

TEST_F(GpgTest, RecipientMayBeGivenByFingerprintOrSubkeyId) {
  for (const std::string recipient : {test::kGpgServerFingerprint, "41DB0C940A7E3EE1", "0xF862FB0D163B9669"}) {
    GpgEncryptParams params = to_server(home());
    params.recipient = recipient;
    const auto blob = gpg_encrypt(kPlaintext, params);
    ASSERT_TRUE(blob) << recipient << ": " << blob.error().detail;
    const auto decrypted = gpg_decrypt(*blob, no_passphrase(home()));
    ASSERT_TRUE(decrypted) << decrypted.error().detail;
    EXPECT_EQ(decrypted->plaintext, kPlaintext);
  }
}

TEST_F(GpgTest, DecryptsFwknopClientPacket) {
  const auto json = test::load_json("client_vectors.json");
  const nlohmann::json* vector = nullptr;
  for (const auto& candidate : json.at("vectors"))
    if (candidate.contains("gpg_signer_fpr")) vector = &candidate;
  ASSERT_NE(vector, nullptr);
  ASSERT_EQ(vector->at("hmac_type"), "sha256");

  const std::string wire = vector->at("spa_wire");
  const std::size_t kHmacSha256Chars = 43;  // b64_nopad of 32 bytes (protocol.md §6)
  ASSERT_GT(wire.size(), kHmacSha256Chars);
  const auto blob = base64_decode("hQ" + wire.substr(0, wire.size() - kHmacSha256Chars));
  ASSERT_TRUE(blob && !blob->empty());

  const auto decrypted = gpg_decrypt(*blob, no_passphrase(home()));
  ASSERT_TRUE(decrypted) << decrypted.error().detail;
  EXPECT_EQ(decrypted->plaintext, vector->at("decoded").at("plaintext").get<std::string>());
  const GpgSignature& sig = decrypted->signature;
  EXPECT_TRUE(sig.present);
  EXPECT_TRUE(sig.good);
  EXPECT_EQ(sig.fingerprint, vector->at("gpg_signer_fpr").get<std::string>());
  EXPECT_EQ(sig.id, vector->at("decoded").at("gpg_signature_id").get<std::string>());
}

TEST_F(GpgTest, UnknownRecipientIsGpgError) {
  GpgEncryptParams params = to_server(home());
  params.recipient = "0123456789ABCDEF";
  const auto blob = gpg_encrypt(kPlaintext, params);
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kGpgError);
  EXPECT_NE(blob.error().detail.find("0123456789ABCDEF"), std::string::npos) << blob.error().detail;
  EXPECT_NE(blob.error().detail.find("not found"), std::string::npos) << blob.error().detail;
}

TEST_F(GpgTest, EmptyRecipientIsGpgError) {
  GpgEncryptParams params = to_server(home());
  params.recipient.clear();
  const auto blob = gpg_encrypt(kPlaintext, params);
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kGpgError);
}

TEST_F(GpgTest, AmbiguousRecipientIsGpgError) {
  GpgEncryptParams params = to_server(home());
  params.recipient = "example.org";  // both test keys' user ids match
  const auto blob = gpg_encrypt(kPlaintext, params);
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kGpgError);
  EXPECT_NE(blob.error().detail.find("ambiguous"), std::string::npos) << blob.error().detail;
  EXPECT_NE(blob.error().detail.find("example.org"), std::string::npos) << blob.error().detail;
}

TEST_F(GpgTest, UnknownSignerIsGpgError) {
  const auto blob = gpg_encrypt(kPlaintext, to_server(home(), "0123456789ABCDEF"));
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::kGpgError);
  EXPECT_NE(blob.error().detail.find("signer key \"0123456789ABCDEF\" not found"), std::string::npos)
      << blob.error().detail;
}

TEST_F(GpgTest, CorruptedBlobIsErrorNotCrash) {
  const auto blob = gpg_encrypt(kPlaintext, to_server(home(), kGpgSignerKeyId));
  ASSERT_TRUE(blob) << blob.error().detail;

  std::vector<std::vector<std::uint8_t>> broken;
  auto flipped = *blob;
  for (std::size_t i = 300; i < flipped.size(); i += 17) flipped[i] ^= 0x5a;  // damage the encrypted data packet
  broken.push_back(flipped);
  broken.emplace_back(blob->begin(), blob->begin() + std::ptrdiff_t(blob->size() / 2));  // truncated
  broken.emplace_back(blob->begin() + 2, blob->end());                                   // packet header cut off
  broken.emplace_back();                                                                 // empty
  const std::string_view text = kPlaintext;
  broken.emplace_back(text.begin(), text.end());  // not OpenPGP at all
  for (const auto& bad : broken) {
    const auto decrypted = gpg_decrypt(bad, no_passphrase(home()));
    ASSERT_FALSE(decrypted) << "size " << bad.size();
    EXPECT_EQ(decrypted.error().code, ErrorCode::kGpgError);
    EXPECT_FALSE(decrypted.error().detail.empty());
  }
}

// 1 MiB of zeros compresses to about a kilobyte: a decompression bomb must be cut off, not buffered.
TEST_F(GpgTest, OversizedPlaintextIsRefused) {
  const std::string big(1 << 20, '\0');
  const auto blob = gpg_encrypt(big, to_server(home()));
  ASSERT_TRUE(blob) << blob.error().detail;
  EXPECT_LT(blob->size(), 4096u);
  const auto decrypted = gpg_decrypt(*blob, no_passphrase(home()));
  ASSERT_FALSE(decrypted);
  EXPECT_EQ(decrypted.error().code, ErrorCode::kGpgError);
  EXPECT_NE(decrypted.error().detail.find("exceeds"), std::string::npos) << decrypted.error().detail;
}

TEST_F(GpgTest, MissingPassphraseWithoutAllowNoPassphraseIsRefused) {
  const auto blob = gpg_encrypt(kPlaintext, to_server(home()));
  ASSERT_TRUE(blob) << blob.error().detail;
  GpgDecryptParams params;
  params.home_dir = home();
  const auto decrypted = gpg_decrypt(*blob, params);
  ASSERT_FALSE(decrypted);
  EXPECT_EQ(decrypted.error().code, ErrorCode::kInvalidKey);
}

TEST(GpgHome, EmptyHomeDirCannotEncryptOrDecrypt) {
  test::GpgHome keys(GpgKeys::kImported);
  const auto blob = gpg_encrypt(kPlaintext, to_server(keys.path()));
  ASSERT_TRUE(blob) << blob.error().detail;

  test::GpgHome empty(GpgKeys::kNone);
  const auto decrypted = gpg_decrypt(*blob, no_passphrase(empty.path()));
  ASSERT_FALSE(decrypted);
  EXPECT_EQ(decrypted.error().code, ErrorCode::kGpgError);
  EXPECT_NE(decrypted.error().detail.find("No secret key"), std::string::npos) << decrypted.error().detail;
  EXPECT_NE(decrypted.error().detail.find("41DB0C940A7E3EE1"), std::string::npos) << decrypted.error().detail;

  const auto encrypted = gpg_encrypt(kPlaintext, to_server(empty.path()));
  ASSERT_FALSE(encrypted);
  EXPECT_EQ(encrypted.error().code, ErrorCode::kGpgError);
}

// fwknopd's signature test wants validity >= marginal: a key that was only imported (no owner trust, no local
// signature) gives "Success" but validity 1 (undefined), so the signature is present but not good.
TEST(GpgHome, UntrustedSignerIsPresentButNotGood) {
  test::GpgHome home(GpgKeys::kImported);
  const auto blob = gpg_encrypt(kPlaintext, to_server(home.path(), kGpgSignerKeyId));
  ASSERT_TRUE(blob) << blob.error().detail;
  const auto decrypted = gpg_decrypt(*blob, no_passphrase(home.path()));
  ASSERT_TRUE(decrypted) << decrypted.error().detail;
  const GpgSignature& sig = decrypted->signature;
  EXPECT_TRUE(sig.present);
  EXPECT_FALSE(sig.good);
  EXPECT_LT(sig.validity, 3);
  EXPECT_EQ(sig.status_text, "Success");
  EXPECT_EQ(sig.id, "CB817768");
}

// The server lacks the signer's public key: gpg still names the signer (the issuer fingerprint subpacket), but
// the status is "No public key".
TEST(GpgHome, SignerKeyNotInKeyringIsPresentButNotGood) {
  test::GpgHome home(GpgKeys::kImported);
  const auto blob = gpg_encrypt(kPlaintext, to_server(home.path(), kGpgSignerKeyId));
  ASSERT_TRUE(blob) << blob.error().detail;
  const auto deleted = home.gpg({"--delete-secret-and-public-key", kGpgSignerFingerprint});
  ASSERT_TRUE(deleted.succeeded()) << deleted.output;
  const auto decrypted = gpg_decrypt(*blob, no_passphrase(home.path()));
  ASSERT_TRUE(decrypted) << decrypted.error().detail;
  const GpgSignature& sig = decrypted->signature;
  EXPECT_TRUE(sig.present);
  EXPECT_FALSE(sig.good);
  EXPECT_EQ(sig.status_text, "No public key");
  EXPECT_EQ(sig.id, "CB817768");
}

// A passphrase-protected key made on the spot (future-default: ed25519 + cv25519 subkey, fast to generate).
// Loopback pinentry takes the passphrase from the parameters; a wrong one fails promptly instead of prompting.
TEST(GpgHome, PassphraseProtectedKeysUseTheGivenPassphrase) {
  test::GpgHome home(GpgKeys::kNone);
  const auto generated = home.gpg({"--pinentry-mode", "loopback", "--passphrase", "right horse", "--quick-gen-key",
                                   "Protected <protected@example.net>", "future-default", "default", "never"});
  ASSERT_TRUE(generated.succeeded()) << generated.output;
  GpgEncryptParams encrypt;
  encrypt.home_dir = home.path();
  encrypt.recipient = "protected@example.net";
  encrypt.signer = "protected@example.net";

  encrypt.signer_passphrase = SecretBytes::from_text("wrong horse");
  const auto refused = gpg_encrypt(kPlaintext, encrypt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kGpgError);
  EXPECT_EQ(refused.error().detail.find("horse"), std::string::npos) << "passphrase leaked into the error";

  encrypt.signer_passphrase = SecretBytes::from_text("right horse");
  const auto blob = gpg_encrypt(kPlaintext, encrypt);
  ASSERT_TRUE(blob) << blob.error().detail;
  // An ECDH session key packet is short (0x84 len): base64 "hF", not "hQ". fwknop strips two characters and
  // re-adds "hQ", so such keys cannot carry SPA; callers must use RSA recipients.
  EXPECT_EQ((*blob)[0], 0x84);
  EXPECT_NE(base64_encode(*blob).substr(0, 2), "hQ");

  GpgDecryptParams decrypt;
  decrypt.home_dir = home.path();
  decrypt.passphrase = SecretBytes::from_text("wrong horse");
  const auto wrong = gpg_decrypt(*blob, decrypt);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kGpgError);

  const auto none = gpg_decrypt(*blob, no_passphrase(home.path()));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kGpgError);

  decrypt.passphrase = SecretBytes::from_text("right horse");
  const auto decrypted = gpg_decrypt(*blob, decrypt);
  ASSERT_TRUE(decrypted) << decrypted.error().detail;
  EXPECT_EQ(decrypted->plaintext, kPlaintext);
  EXPECT_TRUE(decrypted->signature.good);  // gpg gives keys it generated ultimate owner trust

  decrypt.passphrase = SecretBytes::from_text("right\nhorse");
  const auto multiline = gpg_decrypt(*blob, decrypt);
  ASSERT_FALSE(multiline);
  EXPECT_EQ(multiline.error().code, ErrorCode::kInvalidKey);
}

}  // namespace
}  // namespace sesame::spa
