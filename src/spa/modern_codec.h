// SPDX-License-Identifier: GPL-2.0-or-later
// Modern mode (docs/modern-mode.md): one SPA packet sealed with an AEAD under a key both sides derive from their
// static X25519 key pairs. Opt-in and sesame-only; fwknop's packets are untouched.
//
// Packet (then base64 without padding, like every fwknop packet, so each transport carries it unchanged):
//   version (1) | suite (1) | key id (8) | timestamp (8, big-endian seconds) | nonce (12) | AEAD(message) + tag (16)
// The first 30 bytes are the associated data: the version, suite, key id, timestamp and nonce are bound to the
// ciphertext, so changing any of them makes the packet fail. The sealed message is the fwknop message encoding
// (random value, user, timestamp, version, type, message ...) without its digest, which the tag replaces.
//
// Key schedule, per (client, server) pair, computed once:
//   shared  = X25519(own private key, peer public key)
//   key     = HKDF-SHA256(salt "sesame modern v1", ikm shared, info "sesame modern v1 key" | suite | C | S), 32 bytes
//   key id  = first 8 bytes of SHA-256("sesame modern v1 key id" | C | S)
// with C and S the client's and the server's public keys. The key id lets a server find the client's stanza with
// one lookup, no trial decryption.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "spa/aead.h"
#include "spa/error.h"
#include "spa/message.h"
#include "spa/x25519.h"

namespace sesame::spa {

constexpr std::uint8_t kModernVersion = 1;
constexpr std::size_t kModernKeyIdSize = 8;
constexpr std::size_t kModernHeaderSize = 1 + 1 + kModernKeyIdSize + 8 + kAeadNonceSize;  // 30
using ModernKeyId = std::array<std::uint8_t, kModernKeyIdSize>;

struct ModernHeader {
  AeadSuite suite = kDefaultAeadSuite;
  ModernKeyId key_id{};
  std::uint64_t timestamp = 0;
  AeadNonce nonce{};
};

// The header of a base64-decoded packet: nothing when it is too short to be one, or names another version or an
// unknown suite (then it is not a modern packet, and may be an fwknop one).
std::optional<ModernHeader> read_modern_header(std::span<const std::uint8_t> packet);

ModernKeyId modern_key_id(const X25519PublicKey& client_public_key, const X25519PublicKey& server_public_key);

struct ModernEncodeOptions {
  std::optional<AeadNonce> nonce;  // fixed for known-answer tests; random when absent
};

// One object per (client, server) key pair: the shared key is derived and the AEAD keyed once. Not thread-safe.
class ModernCodec {
 public:
  static Result<ModernCodec> for_client(AeadSuite suite, const SecretBytes& client_private_key,
                                        const X25519PublicKey& server_public_key);
  static Result<ModernCodec> for_server(AeadSuite suite, const SecretBytes& server_private_key,
                                        const X25519PublicKey& client_public_key);

  AeadSuite suite() const { return aead_.suite(); }
  const ModernKeyId& key_id() const { return key_id_; }

  // The wire text. The header's timestamp is the message's.
  Result<std::string> encode(const Message& message, const ModernEncodeOptions& options = {});
  // A base64-decoded packet whose header read_modern_header() accepted: the tag, then every field as fwknop's
  // decoder checks it, then that the sealed timestamp is the header's.
  Result<Message> open(std::span<const std::uint8_t> packet, const ModernHeader& header);
  // Convenience for tools and tests: base64, header, key id, open.
  Result<Message> decode(std::string_view wire);

 private:
  ModernCodec(Aead aead, ModernKeyId key_id) : aead_(std::move(aead)), key_id_(key_id) {}
  static Result<ModernCodec> create(AeadSuite suite, const SecretBytes& own_private_key,
                                    const X25519PublicKey& peer_public_key, const X25519PublicKey& client_public_key,
                                    const X25519PublicKey& server_public_key);

  Aead aead_;
  ModernKeyId key_id_;
};

}  // namespace sesame::spa
