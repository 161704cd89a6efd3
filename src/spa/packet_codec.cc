// SPDX-License-Identifier: GPL-2.0-or-later
// PacketCodec: the full encode and decode pipelines, HMAC checked before anything is decrypted.
#include "spa/packet_codec.h"

#include <algorithm>

#include "spa/base64.h"
#include "spa/message_codec.h"
#include "spa/random.h"

namespace sesame::spa {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::span<const std::uint8_t> as_bytes(const std::vector<std::uint8_t>& bytes) {
  return bytes;
}

// libfko's check that a Rijndael key was right when no HMAC says so: 16 digits, then ':' (protocol.md §4.6).
bool looks_like_rijndael_plaintext(std::string_view plaintext) {
  return plaintext.size() > 16 && plaintext[16] == ':' &&
         std::all_of(plaintext.begin(), plaintext.begin() + 16, [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Keys Keys::clone() const {
  Keys copy;
  copy.encryption_type = encryption_type;
  copy.mode = mode;
  copy.encryption_key = encryption_key.clone();
  copy.hmac_key = hmac_key.clone();
  copy.hmac_type = hmac_type;
  copy.gpg_encrypt = {gpg_encrypt.home_dir, gpg_encrypt.recipient, gpg_encrypt.signer,
                      gpg_encrypt.signer_passphrase.clone()};
  copy.gpg_decrypt = {gpg_decrypt.home_dir, gpg_decrypt.passphrase.clone(), gpg_decrypt.allow_no_passphrase};
  return copy;
}

Result<PacketCodec> PacketCodec::create(const Keys& keys) {
  PacketCodec codec(keys.clone());
  if (keys.encryption_type == EncryptionType::kRijndael) {
    auto cipher = RijndaelCipher::create(keys.mode, keys.encryption_key);
    if (!cipher) return fail(cipher.error());
    codec.cipher_.emplace(std::move(*cipher));
  }
  if (keys.uses_hmac()) {
    // fwknop refuses identical keys on both sides: one leaked key must not give away the other.
    if (keys.hmac_key.equals(keys.encryption_key))
      return error(ErrorCode::kInvalidKey, "the HMAC key must differ from the encryption key");
    auto hmac = HmacAuthenticator::create(keys.hmac_type, keys.hmac_key);
    if (!hmac) return fail(hmac.error());
    codec.hmac_.emplace(std::move(*hmac));
  }
  return codec;
}

std::string_view PacketCodec::prefix() const {
  return keys_.encryption_type == EncryptionType::kGpg ? kGpgPrefix : kRijndaelPrefix;
}

Result<std::string> PacketCodec::encode(const Message& message, const EncodeOptions& options) {
  auto plaintext = make_plaintext(message, digests_);
  if (!plaintext) return plaintext;

  std::string full;
  if (cipher_) {
    Salt salt{};
    if (options.salt) {
      salt = *options.salt;
    } else {
      auto random_salt = make_salt();
      if (!random_salt) return fail(random_salt.error());
      salt = *random_salt;
    }
    auto blob = cipher_->encrypt(*plaintext, salt);
    if (!blob) return blob;
    full = base64_encode(*blob);
  } else {
    auto blob = gpg_encrypt(*plaintext, keys_.gpg_encrypt);
    if (!blob) return fail(blob.error());
    full = base64_encode(as_bytes(*blob));
  }
  if (!starts_with(full, prefix())) {
    // fwknop strips and restores a fixed prefix; an ECC-encrypted OpenPGP message starts differently ("hF").
    return cipher_ ? error(ErrorCode::kInternal, "ciphertext does not start with \"Salted__\"")
                   : error(ErrorCode::kGpgError, "GPG message does not start with \"hQ\": use an RSA recipient key");
  }
  if (full.size() < kMinWireSize || full.size() > kMaxWireSize)
    return error(ErrorCode::kBadLength, "ciphertext is " + std::to_string(full.size()) + " base64 characters");

  std::string wire = full.substr(prefix().size());
  if (hmac_) {
    const std::string tag = hmac_->tag(full);  // over the prefixed text: fwknop authenticates what it decodes
    if (tag.empty()) return error(ErrorCode::kInternal, "HMAC failed");
    wire += tag;
  }
  if (cipher_ && wire.size() > kMaxRijndaelWireSize)
    return error(ErrorCode::kTooLong, "packet of " + std::to_string(wire.size()) +
                                          " characters; fwknop cannot decrypt Rijndael packets of 400 or more");
  if (wire.size() > kMaxWireSize) return error(ErrorCode::kTooLong, std::to_string(wire.size()) + " characters");
  return wire;
}

Result<std::string> PacketCodec::authenticated_base64(std::string_view wire) {
  if (wire.size() < kMinWireSize || wire.size() > kMaxWireSize)
    return error(ErrorCode::kBadLength, "packet is " + std::to_string(wire.size()) + " bytes");
  std::string_view body = wire;
  std::string_view tag;
  if (hmac_) {
    // The tag length comes from configuration, not from the packet.
    if (wire.size() < kMinWireSize + hmac_->tag_length())
      return error(ErrorCode::kBadLength, "packet too short for its HMAC");
    body = wire.substr(0, wire.size() - hmac_->tag_length());
    tag = wire.substr(body.size());
  }
  if (!is_base64_text(wire)) return error(ErrorCode::kNotBase64);
  std::string full;
  full.reserve(body.size() + prefix().size());
  if (!starts_with(body, prefix())) full = prefix();
  full += body;
  // HMAC before anything else: a junk flood must cost one MAC per packet, and no forged byte reaches the cipher.
  if (hmac_ && !hmac_->verify(full, tag)) return error(ErrorCode::kHmacMismatch);
  return full;
}

Result<Ok> PacketCodec::authenticate(std::string_view wire) {
  auto full = authenticated_base64(wire);
  if (!full) return fail(full.error());
  return Ok{};
}

Result<std::string> PacketCodec::decrypt(std::string_view full_base64, DecodedPacket& packet) {
  const auto blob = base64_decode(full_base64);
  if (!blob) return error(ErrorCode::kNotBase64);
  if (cipher_) {
    auto plaintext = cipher_->decrypt(*blob);
    if (!plaintext) return plaintext;
    if (!looks_like_rijndael_plaintext(*plaintext)) return error(ErrorCode::kDecryptionFailed);
    packet.salt.emplace();
    std::copy_n(blob->begin() + std::ptrdiff_t(kSaltedMagic.size()), kSaltSize, packet.salt->begin());
    return plaintext;
  }
  auto decrypted = gpg_decrypt(*blob, keys_.gpg_decrypt);
  if (!decrypted) return fail(decrypted.error());
  packet.gpg_signature = std::move(decrypted->signature);
  return std::move(decrypted->plaintext);
}

Result<DecodedPacket> PacketCodec::decode(std::string_view wire) {
  auto full = authenticated_base64(wire);
  if (!full) return fail(full.error());
  DecodedPacket packet;
  auto plaintext = decrypt(*full, packet);
  if (!plaintext) return fail(plaintext.error());
  auto decoded = decode_plaintext(*plaintext, digests_);
  if (!decoded) return fail(decoded.error());
  packet.message = std::move(decoded->message);
  packet.encoded = std::move(decoded->encoded);
  packet.digest = std::move(decoded->digest);
  return packet;
}

Result<std::string> encode(const Message& message, const Keys& keys, const EncodeOptions& options) {
  auto codec = PacketCodec::create(keys);
  if (!codec) return fail(codec.error());
  return codec->encode(message, options);
}

Result<DecodedPacket> decode(std::string_view wire, const Keys& keys) {
  auto codec = PacketCodec::create(keys);
  if (!codec) return fail(codec.error());
  return codec->decode(wire);
}

}  // namespace sesame::spa
