// SPDX-License-Identifier: GPL-2.0-or-later
#include "spa/modern_codec.h"

#include <algorithm>

#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include "spa/base64.h"
#include "spa/message_codec.h"
#include "spa/packet_codec.h"
#include "spa/random.h"

namespace sesame::spa {
namespace {

constexpr std::string_view kHkdfSalt = "sesame modern v1";
constexpr std::string_view kKeyInfo = "sesame modern v1 key";
constexpr std::string_view kKeyIdLabel = "sesame modern v1 key id";
constexpr std::size_t kSuiteOffset = 1;
constexpr std::size_t kKeyIdOffset = 2;
constexpr std::size_t kTimestampOffset = kKeyIdOffset + kModernKeyIdSize;
constexpr std::size_t kNonceOffset = kTimestampOffset + 8;

const std::uint8_t* bytes_of(std::string_view text) {
  return reinterpret_cast<const std::uint8_t*>(text.data());
}

// HKDF-SHA256 (RFC 5869) of the X25519 secret into the AEAD key.
SecretBytes derive_key(const SecretBytes& shared, AeadSuite suite, const X25519PublicKey& client_public_key,
                       const X25519PublicKey& server_public_key) {
  hmac_sha256_ctx mac{};
  SecretBytes prk(SHA256_DIGEST_SIZE);
  hmac_sha256_set_key(&mac, kHkdfSalt.size(), bytes_of(kHkdfSalt));
  hkdf_extract(&mac, reinterpret_cast<nettle_hash_update_func*>(hmac_sha256_update),
               reinterpret_cast<nettle_hash_digest_func*>(hmac_sha256_digest), SHA256_DIGEST_SIZE, shared.size(),
               shared.bytes().data(), prk.mutable_bytes().data());
  std::string info(kKeyInfo);
  info += static_cast<char>(suite);
  info.append(reinterpret_cast<const char*>(client_public_key.data()), client_public_key.size());
  info.append(reinterpret_cast<const char*>(server_public_key.data()), server_public_key.size());
  SecretBytes key(kAeadKeySize);
  hmac_sha256_set_key(&mac, prk.size(), prk.bytes().data());
  hkdf_expand(&mac, reinterpret_cast<nettle_hash_update_func*>(hmac_sha256_update),
              reinterpret_cast<nettle_hash_digest_func*>(hmac_sha256_digest), SHA256_DIGEST_SIZE, info.size(),
              bytes_of(info), key.size(), key.mutable_bytes().data());
  // The keyed HMAC state is as good as the PRK.
  std::fill_n(reinterpret_cast<volatile std::uint8_t*>(&mac), sizeof mac, std::uint8_t{0});
  return key;
}

void put_u64(std::uint64_t value, std::uint8_t* out) {
  for (int i = 7; i >= 0; --i, value >>= 8) out[i] = static_cast<std::uint8_t>(value);
}

std::uint64_t get_u64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | in[i];
  return value;
}

}  // namespace

std::optional<ModernHeader> read_modern_header(std::span<const std::uint8_t> packet) {
  if (packet.size() < kModernHeaderSize + kAeadTagSize) return std::nullopt;
  if (packet[0] != kModernVersion || !is_known_aead_suite(packet[kSuiteOffset])) return std::nullopt;
  ModernHeader header;
  header.suite = static_cast<AeadSuite>(packet[kSuiteOffset]);
  std::copy_n(packet.begin() + kKeyIdOffset, kModernKeyIdSize, header.key_id.begin());
  header.timestamp = get_u64(packet.data() + kTimestampOffset);
  std::copy_n(packet.begin() + kNonceOffset, kAeadNonceSize, header.nonce.begin());
  return header;
}

ModernKeyId modern_key_id(const X25519PublicKey& client_public_key, const X25519PublicKey& server_public_key) {
  sha256_ctx hash{};
  sha256_init(&hash);
  sha256_update(&hash, kKeyIdLabel.size(), bytes_of(kKeyIdLabel));
  sha256_update(&hash, client_public_key.size(), client_public_key.data());
  sha256_update(&hash, server_public_key.size(), server_public_key.data());
  std::array<std::uint8_t, SHA256_DIGEST_SIZE> digest{};
  sha256_digest(&hash, digest.size(), digest.data());
  ModernKeyId id{};
  std::copy_n(digest.begin(), id.size(), id.begin());
  return id;
}

Result<ModernCodec> ModernCodec::create(AeadSuite suite, const SecretBytes& own_private_key,
                                        const X25519PublicKey& peer_public_key,
                                        const X25519PublicKey& client_public_key,
                                        const X25519PublicKey& server_public_key) {
  auto shared = x25519_shared_secret(own_private_key, peer_public_key);
  if (!shared) return fail(shared.error());
  auto aead = Aead::create(suite, derive_key(*shared, suite, client_public_key, server_public_key));
  if (!aead) return fail(aead.error());
  return ModernCodec(std::move(*aead), modern_key_id(client_public_key, server_public_key));
}

Result<ModernCodec> ModernCodec::for_client(AeadSuite suite, const SecretBytes& client_private_key,
                                            const X25519PublicKey& server_public_key) {
  auto client_public_key = x25519_public_key(client_private_key);
  if (!client_public_key) return fail(client_public_key.error());
  return create(suite, client_private_key, server_public_key, *client_public_key, server_public_key);
}

Result<ModernCodec> ModernCodec::for_server(AeadSuite suite, const SecretBytes& server_private_key,
                                            const X25519PublicKey& client_public_key) {
  auto server_public_key = x25519_public_key(server_private_key);
  if (!server_public_key) return fail(server_public_key.error());
  return create(suite, server_private_key, client_public_key, client_public_key, *server_public_key);
}

Result<std::string> ModernCodec::encode(const Message& message, const ModernEncodeOptions& options) {
  auto encoded = encode_message(message);
  if (!encoded) return encoded;
  std::array<std::uint8_t, kModernHeaderSize> header{};
  header[0] = kModernVersion;
  header[kSuiteOffset] = static_cast<std::uint8_t>(suite());
  std::copy(key_id_.begin(), key_id_.end(), header.begin() + kKeyIdOffset);
  put_u64(message.timestamp, header.data() + kTimestampOffset);
  AeadNonce nonce{};
  if (options.nonce) {
    nonce = *options.nonce;
  } else if (auto filled = fill_random(nonce); !filled) {
    return fail(filled.error());
  }
  std::copy(nonce.begin(), nonce.end(), header.begin() + kNonceOffset);
  const auto sealed = aead_.seal(nonce, header, *encoded);
  std::vector<std::uint8_t> packet(header.begin(), header.end());
  packet.insert(packet.end(), sealed.begin(), sealed.end());
  std::string wire = base64_encode(packet);
  if (wire.size() > kMaxWireSize) return error(ErrorCode::kTooLong, std::to_string(wire.size()) + " characters");
  return wire;
}

Result<Message> ModernCodec::open(std::span<const std::uint8_t> packet, const ModernHeader& header) {
  if (header.suite != suite() || header.key_id != key_id_) return error(ErrorCode::kDecryptionFailed);
  auto plaintext = aead_.open(header.nonce, packet.first(kModernHeaderSize), packet.subspan(kModernHeaderSize));
  if (!plaintext) return error(ErrorCode::kDecryptionFailed);
  auto message = decode_message(*plaintext);
  if (!message) return message;
  if (message->timestamp != header.timestamp)
    return field_error(ErrorCode::kFieldInvalid, Field::kTimestamp, "differs from the packet header's");
  return message;
}

Result<Message> ModernCodec::decode(std::string_view wire) {
  if (wire.size() > kMaxWireSize) return error(ErrorCode::kBadLength, std::to_string(wire.size()) + " characters");
  if (!is_base64_text(wire)) return error(ErrorCode::kNotBase64);
  const auto packet = base64_decode(wire);
  if (!packet) return error(ErrorCode::kNotBase64);
  const auto header = read_modern_header(*packet);
  if (!header) return error(ErrorCode::kDecryptionFailed, "not a modern-mode packet");
  return open(*packet, *header);
}

}  // namespace sesame::spa
