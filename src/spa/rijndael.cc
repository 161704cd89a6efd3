// SPDX-License-Identifier: GPL-2.0-or-later
// RijndaelCipher: AES-256 through OpenSSL 3 EVP with the key derivation and padding fwknop uses.
#include "spa/rijndael.h"

#include <algorithm>
#include <cstring>

#include <openssl/err.h>

namespace sesame::spa {
namespace {

constexpr std::size_t kLegacyKeySize = 16;

const char* cipher_name(EncryptionMode mode) {
  switch (mode) {
    case EncryptionMode::kEcb:
      return "AES-256-ECB";
    case EncryptionMode::kCbc:
    case EncryptionMode::kCbcLegacyIv:
      return "AES-256-CBC";
    case EncryptionMode::kCfb:
      return "AES-256-CFB";
    case EncryptionMode::kOfb:
      return "AES-256-OFB";
    case EncryptionMode::kCtr:
      return "AES-256-CTR";
    case EncryptionMode::kAsymmetric:
      break;
  }
  return nullptr;
}

// Pre-2.5 fwknop keys: truncated to 16 bytes and right-padded with '0' to 16 (protocol.md §4.1).
SecretBytes legacy_key(const SecretBytes& passphrase) {
  SecretBytes key(kLegacyKeySize);
  const std::size_t kept = std::min(passphrase.size(), kLegacyKeySize);
  auto out = key.mutable_bytes();
  std::copy_n(passphrase.bytes().begin(), kept, out.begin());
  std::fill(out.begin() + std::ptrdiff_t(kept), out.end(), std::uint8_t('0'));
  return key;
}

Failure<Error> openssl_failure(const char* what) {
  ERR_clear_error();  // nothing may leak into the next packet's error queue
  return error(ErrorCode::kInternal, what);
}

}  // namespace

RijndaelCipher::RijndaelCipher(EncryptionMode mode, SecretBytes passphrase, MdPtr md5, CipherPtr cipher)
    : mode_(mode),
      passphrase_(std::move(passphrase)),
      md5_(std::move(md5)),
      cipher_(std::move(cipher)),
      md_ctx_(EVP_MD_CTX_new()),
      cipher_ctx_(EVP_CIPHER_CTX_new()) {}

Result<RijndaelCipher> RijndaelCipher::create(EncryptionMode mode, const SecretBytes& passphrase) {
  const char* name = cipher_name(mode);
  if (name == nullptr) return error(ErrorCode::kInvalidArgument, "not a Rijndael mode");
  if (passphrase.empty()) return error(ErrorCode::kInvalidKey, "encryption key is empty");
  // Legacy mode truncates to 16 bytes silently, as both fwknop's client and server do.
  if (mode != EncryptionMode::kCbcLegacyIv && passphrase.size() > kMaxRijndaelKeySize)
    return error(ErrorCode::kInvalidKey, "encryption key longer than 32 bytes");
  MdPtr md5(EVP_MD_fetch(nullptr, "MD5", nullptr));
  CipherPtr cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  if (!md5 || !cipher) return openssl_failure("cannot fetch MD5 or AES-256 from OpenSSL");
  RijndaelCipher result(mode, mode == EncryptionMode::kCbcLegacyIv ? legacy_key(passphrase) : passphrase.clone(),
                        std::move(md5), std::move(cipher));
  if (!result.md_ctx_ || !result.cipher_ctx_ ||
      EVP_CipherInit_ex2(result.cipher_ctx_.get(), result.cipher_.get(), nullptr, nullptr, 1, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(result.cipher_ctx_.get(), 0) != 1)  // PKCS#7 is ours: fwknop pads even stream modes
    return openssl_failure("cannot set up AES-256");
  return result;
}

Result<DerivedKey> RijndaelCipher::derive(const Salt& salt) {
  // EVP_BytesToKey(MD5, count 1): D1 = MD5(P|S), Dn = MD5(Dn-1|P|S); key = D1|D2, iv = D3.
  DerivedKey derived;
  std::array<unsigned char, 48> blocks{};
  unsigned int size = 0;
  for (std::size_t round = 0; round < 3; ++round) {
    EVP_MD_CTX* ctx = md_ctx_.get();
    if (EVP_DigestInit_ex2(ctx, md5_.get(), nullptr) != 1 ||
        (round > 0 && EVP_DigestUpdate(ctx, blocks.data() + 16 * (round - 1), 16) != 1) ||
        EVP_DigestUpdate(ctx, passphrase_.bytes().data(), passphrase_.size()) != 1 ||
        EVP_DigestUpdate(ctx, salt.data(), salt.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, blocks.data() + 16 * round, &size) != 1)
      return openssl_failure("MD5 key derivation failed");
  }
  std::copy_n(blocks.begin(), 32, derived.key.mutable_bytes().begin());
  std::copy_n(blocks.begin() + 32, 16, derived.iv.mutable_bytes().begin());
  OPENSSL_cleanse(blocks.data(), blocks.size());
  return derived;
}

Result<std::string> RijndaelCipher::run(bool encrypting, const Salt& salt, std::span<const std::uint8_t> input) {
  auto derived = derive(salt);
  if (!derived) return fail(derived.error());
  EVP_CIPHER_CTX* ctx = cipher_ctx_.get();
  std::string output(input.size() + kAesBlockSize, '\0');
  int written = 0;
  int final_written = 0;
  auto* out = reinterpret_cast<unsigned char*>(output.data());
  if (EVP_CipherInit_ex2(ctx, cipher_.get(), derived->key.bytes().data(), derived->iv.bytes().data(),
                         encrypting ? 1 : 0, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||  // PKCS#7 is ours: fwknop pads even the stream modes
      EVP_CipherUpdate(ctx, out, &written, input.data(), int(input.size())) != 1 ||
      EVP_CipherFinal_ex(ctx, out + written, &final_written) != 1)
    return openssl_failure("AES operation failed");
  output.resize(std::size_t(written + final_written));
  return output;
}

Result<std::string> RijndaelCipher::encrypt(std::string_view plaintext, const Salt& salt) {
  const std::size_t pad = kAesBlockSize - plaintext.size() % kAesBlockSize;  // 1..16, never 0
  std::string padded(plaintext);
  padded.append(pad, char(pad));
  auto ciphertext = run(true, salt, std::span(reinterpret_cast<const std::uint8_t*>(padded.data()), padded.size()));
  if (!ciphertext) return ciphertext;
  std::string blob(kSaltedMagic);
  blob.append(reinterpret_cast<const char*>(salt.data()), salt.size());
  blob += *ciphertext;
  return blob;
}

Result<std::string> RijndaelCipher::decrypt(std::span<const std::uint8_t> blob) {
  constexpr std::size_t kHeader = kSaltedMagic.size() + kSaltSize;
  // The "Salted__" magic itself is not checked, as in libfko: only its length counts.
  if (blob.size() < kHeader + kAesBlockSize || (blob.size() - kHeader) % kAesBlockSize != 0)
    return error(ErrorCode::kBadCipherLength, std::to_string(blob.size()) + " bytes");
  Salt salt{};
  std::copy_n(blob.begin() + kSaltedMagic.size(), kSaltSize, salt.begin());
  auto plaintext = run(false, salt, blob.subspan(kHeader));
  if (!plaintext) return plaintext;
  // Lenient unpadding: strip only a well-formed PKCS#7 tail, otherwise keep every byte (libfko does the same).
  std::string& text = *plaintext;
  const auto pad = static_cast<unsigned char>(text.back());
  if (pad >= 1 && pad <= kAesBlockSize &&
      std::all_of(text.end() - pad, text.end(), [pad](char c) { return static_cast<unsigned char>(c) == pad; }))
    text.erase(text.end() - pad, text.end());
  if (text.empty()) return error(ErrorCode::kDecryptionFailed, "empty plaintext");
  return plaintext;
}

}  // namespace sesame::spa
