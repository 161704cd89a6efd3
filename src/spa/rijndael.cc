// SPDX-License-Identifier: GPL-2.0-or-later
// RijndaelCipher: AES-256 through nettle with the key derivation and padding fwknop uses.
#include "spa/rijndael.h"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cstring>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/cfb.h>
#include <nettle/ctr.h>
#include <nettle/md5.h>

namespace sesame::spa {
namespace {

constexpr std::size_t kLegacyKeySize = 16;
constexpr std::size_t kKeySize = 32;

bool is_rijndael_mode(EncryptionMode mode) {
  switch (mode) {
    case EncryptionMode::kEcb:
    case EncryptionMode::kCbc:
    case EncryptionMode::kCbcLegacyIv:
    case EncryptionMode::kCfb:
    case EncryptionMode::kOfb:
    case EncryptionMode::kCtr:
      return true;
    case EncryptionMode::kAsymmetric:
      break;
  }
  return false;
}

// nettle's block-cipher callbacks for its mode functions.
void aes_encrypt(const void* ctx, std::size_t length, std::uint8_t* dst, const std::uint8_t* src) {
  aes256_encrypt(static_cast<const aes256_ctx*>(ctx), length, dst, src);
}
void aes_decrypt(const void* ctx, std::size_t length, std::uint8_t* dst, const std::uint8_t* src) {
  aes256_decrypt(static_cast<const aes256_ctx*>(ctx), length, dst, src);
}

// OFB, which nettle lacks: the keystream is the IV encrypted again and again, XORed onto the data.
void ofb_crypt(const aes256_ctx& ctx, std::uint8_t* iv, std::size_t length, std::uint8_t* dst,
               const std::uint8_t* src) {
  for (std::size_t done = 0; done < length; done += kAesBlockSize) {
    aes256_encrypt(&ctx, kAesBlockSize, iv, iv);
    const std::size_t n = std::min(kAesBlockSize, length - done);
    for (std::size_t i = 0; i < n; ++i) dst[done + i] = std::uint8_t(src[done + i] ^ iv[i]);
  }
}

// Both wiped however run() leaves: they hold the packet's AES key schedule and IV.
struct AesState {
  aes256_ctx ctx;
  std::array<std::uint8_t, kAesBlockSize> iv;
  ~AesState() { explicit_bzero(this, sizeof *this); }
};

// Pre-2.5 fwknop keys: truncated to 16 bytes and right-padded with '0' to 16 (protocol.md §4.1).
SecretBytes legacy_key(const SecretBytes& passphrase) {
  SecretBytes key(kLegacyKeySize);
  const std::size_t kept = std::min(passphrase.size(), kLegacyKeySize);
  auto out = key.mutable_bytes();
  std::copy_n(passphrase.bytes().begin(), kept, out.begin());
  std::fill(out.begin() + std::ptrdiff_t(kept), out.end(), std::uint8_t('0'));
  return key;
}

}  // namespace

Result<RijndaelCipher> RijndaelCipher::create(EncryptionMode mode, const SecretBytes& passphrase) {
  if (!is_rijndael_mode(mode)) return error(ErrorCode::kInvalidArgument, "not a Rijndael mode");
  if (passphrase.empty()) return error(ErrorCode::kInvalidKey, "encryption key is empty");
  // Legacy mode truncates to 16 bytes silently, as both fwknop's client and server do.
  if (mode != EncryptionMode::kCbcLegacyIv && passphrase.size() > kMaxRijndaelKeySize)
    return error(ErrorCode::kInvalidKey, "encryption key longer than 32 bytes");
  return RijndaelCipher(mode, mode == EncryptionMode::kCbcLegacyIv ? legacy_key(passphrase) : passphrase.clone());
}

Result<DerivedKey> RijndaelCipher::derive(const Salt& salt) {
  // OpenSSL's EVP_BytesToKey(MD5, count 1): D1 = MD5(P|S), Dn = MD5(Dn-1|P|S); key = D1|D2, iv = D3.
  DerivedKey derived;
  std::array<std::uint8_t, 3 * MD5_DIGEST_SIZE> blocks{};
  md5_ctx ctx;
  for (std::size_t round = 0; round < 3; ++round) {
    md5_init(&ctx);
    if (round > 0) md5_update(&ctx, MD5_DIGEST_SIZE, blocks.data() + MD5_DIGEST_SIZE * (round - 1));
    md5_update(&ctx, passphrase_.size(), passphrase_.bytes().data());
    md5_update(&ctx, salt.size(), salt.data());
    md5_digest(&ctx, MD5_DIGEST_SIZE, blocks.data() + MD5_DIGEST_SIZE * round);
  }
  std::copy_n(blocks.begin(), kKeySize, derived.key.mutable_bytes().begin());
  std::copy_n(blocks.begin() + kKeySize, kAesBlockSize, derived.iv.mutable_bytes().begin());
  explicit_bzero(blocks.data(), blocks.size());
  explicit_bzero(&ctx, sizeof ctx);
  return derived;
}

Result<std::string> RijndaelCipher::run(bool encrypting, const Salt& salt, std::span<const std::uint8_t> input) {
  auto derived = derive(salt);
  if (!derived) return fail(derived.error());
  const std::size_t length = input.size();
  const bool whole_blocks = length % kAesBlockSize == 0;
  std::string output(length, '\0');
  auto* out = reinterpret_cast<std::uint8_t*>(output.data());
  const std::uint8_t* in = input.data();
  AesState aes;
  std::copy_n(derived->iv.bytes().begin(), kAesBlockSize, aes.iv.begin());
  // ECB and CBC decrypt with the inverse key schedule; CFB, OFB and CTR only ever run AES forwards.
  const bool inverse = !encrypting && (mode_ == EncryptionMode::kEcb || mode_ == EncryptionMode::kCbc ||
                                       mode_ == EncryptionMode::kCbcLegacyIv);
  if (inverse)
    aes256_set_decrypt_key(&aes.ctx, derived->key.bytes().data());
  else
    aes256_set_encrypt_key(&aes.ctx, derived->key.bytes().data());
  switch (mode_) {
    case EncryptionMode::kEcb:
      if (!whole_blocks) return error(ErrorCode::kInternal, "ECB input is not whole blocks");
      (encrypting ? aes256_encrypt : aes256_decrypt)(&aes.ctx, length, out, in);
      break;
    case EncryptionMode::kCbc:
    case EncryptionMode::kCbcLegacyIv:
      if (!whole_blocks) return error(ErrorCode::kInternal, "CBC input is not whole blocks");
      if (encrypting)
        cbc_encrypt(&aes.ctx, aes_encrypt, kAesBlockSize, aes.iv.data(), length, out, in);
      else
        cbc_decrypt(&aes.ctx, aes_decrypt, kAesBlockSize, aes.iv.data(), length, out, in);
      break;
    case EncryptionMode::kCfb:  // OpenSSL's AES-256-CFB is CFB128, nettle's cfb_* with a 16-byte block
      if (encrypting)
        cfb_encrypt(&aes.ctx, aes_encrypt, kAesBlockSize, aes.iv.data(), length, out, in);
      else
        cfb_decrypt(&aes.ctx, aes_encrypt, kAesBlockSize, aes.iv.data(), length, out, in);
      break;
    case EncryptionMode::kOfb:
      ofb_crypt(aes.ctx, aes.iv.data(), length, out, in);
      break;
    case EncryptionMode::kCtr:  // the whole 16-byte IV is a big-endian counter, in OpenSSL and in nettle
      ctr_crypt(&aes.ctx, aes_encrypt, kAesBlockSize, aes.iv.data(), length, out, in);
      break;
    case EncryptionMode::kAsymmetric:
      return error(ErrorCode::kInvalidArgument, "not a Rijndael mode");
  }
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
