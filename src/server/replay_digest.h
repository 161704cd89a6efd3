// SPDX-License-Identifier: GPL-2.0-or-later
// Replay digests: what identifies "the same SPA packet" to sesamed's replay cache, and fwknopd's own digest.
//
// fwknopd keys its cache by SHA-256 of the wire as received (protocol.md §9), so any re-encoding that still decodes
// to the same ciphertext passes as a new packet (protocol.md §17.5): an appended '=', a lone trailing character,
// changed unused low bits of the last character, the `U2FsdGVkX1`/`hQ` prefix sent instead of stripped, and, as
// Rijndael decoders ignore the "Salted__" magic, a different top half of the first body character. The canonical
// digest hashes what the decoder actually uses, so all of those are one packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <nettle/sha2.h>

#include "spa/types.h"

namespace sesame::server {

using ReplayDigest = std::array<std::uint8_t, 32>;  // a SHA-256

// SHA-256 over the canonical form of an SPA wire payload as one access stanza reads it: the last `hmac_length`
// characters are its HMAC tag (0: the stanza has no HMAC key); the rest gets the constant prefix of `encryption`
// restored when missing, is base64-decoded with libfko's lenient decoder, and for Rijndael loses the 8 bytes of
// the unchecked "Salted__" magic. Hashed: that ciphertext (salt included) and the tag text. The tag is hashed as
// text because HMACs are compared as text, so a tag with other unused low bits is not a valid packet.
//
// Two payloads a stanza decodes to the same ciphertext and tag get the same digest; different ciphertexts do not
// collide. The encryption type matters because the two prefixes are restored differently (a Rijndael body may
// start with "hQ"). A payload that is not base64 at all, or longer than any SPA packet, is hashed as it is: no
// stanza can decode it.
ReplayDigest canonical_replay_digest(std::string_view wire, std::size_t hmac_length, spa::EncryptionType encryption);

// SHA-256 of the decrypted encoded message (fields joined by ':'): the second key for stanzas without an HMAC.
// A GPG packet's framing is not authenticated (an OpenPGP key ID can be zeroed, lengths re-encoded, packets
// appended), so without an HMAC only the plaintext identifies the message; for Rijndael it costs one more hash.
ReplayDigest plaintext_replay_digest(std::string_view encoded_message);

// fwknopd's digest in binary: SHA-256 of the wire payload as received; its unpadded base64 is
// spa::replay_digest(wire), the key of fwknopd's digest.cache. Used only to honour an imported digest.cache.
ReplayDigest fwknop_replay_digest(std::string_view wire);

// The same three digests for the packet path: one reused nettle SHA-256 context and fixed stack buffers, so a
// digest costs no allocation. Not thread-safe.
class ReplayDigester {
 public:
  ReplayDigester();

  ReplayDigest canonical(std::string_view wire, std::size_t hmac_length, spa::EncryptionType encryption);
  ReplayDigest plaintext(std::string_view encoded_message);
  ReplayDigest fwknop(std::string_view wire);
  // A modern-mode packet, base64-decoded: its AEAD covers every byte, so those bytes are the packet.
  ReplayDigest sealed(std::span<const std::uint8_t> packet);

 private:
  void begin();
  void update(const void* data, std::size_t size);
  ReplayDigest finish();

  sha256_ctx context_{};
};

}  // namespace sesame::server
