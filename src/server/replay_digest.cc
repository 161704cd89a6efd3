// SPDX-License-Identifier: GPL-2.0-or-later
// Canonical replay digests: prefix restored, lenient base64 decoding into stack buffers, SHA-256 through one
// reused nettle context.
#include "server/replay_digest.h"

#include <algorithm>
#include <optional>

#include <nettle/sha2.h>

#include "spa/base64.h"
#include "spa/packet_codec.h"

namespace sesame::server {
namespace {

// The longest text the canonical form decodes: the largest payload plus the longer prefix.
constexpr std::size_t kMaxFullText = spa::kMaxWireSize + spa::kRijndaelPrefix.size();
// Bytes at the start of a decoded Rijndael blob that no decoder reads: libfko and spa::RijndaelCipher take the
// salt from bytes 8-15 without checking "Salted__". Byte 7 is partly the first body character, so without this a
// packet whose first character keeps its low two bits but changes its top four would be "new" yet decrypt the same.
constexpr std::size_t kUncheckedRijndaelMagic = 8;

// Domain bytes: a digest of one kind never equals a digest of another over the same bytes.
constexpr std::uint8_t kRijndaelDomain = 'R';
constexpr std::uint8_t kGpgDomain = 'G';
constexpr std::uint8_t kOpaqueDomain = 'X';
constexpr std::uint8_t kPlaintextDomain = 'P';

}  // namespace

ReplayDigester::ReplayDigester() = default;

void ReplayDigester::begin() {
  sha256_init(&context_);
}

void ReplayDigester::update(const void* data, std::size_t size) {
  sha256_update(&context_, size, static_cast<const std::uint8_t*>(data));
}

ReplayDigest ReplayDigester::finish() {
  static_assert(std::tuple_size_v<ReplayDigest> == SHA256_DIGEST_SIZE);
  ReplayDigest digest{};
  sha256_digest(&context_, digest.size(), digest.data());
  return digest;
}

ReplayDigest ReplayDigester::canonical(std::string_view wire, std::size_t hmac_length, spa::EncryptionType encryption) {
  const bool is_gpg = encryption == spa::EncryptionType::kGpg;
  const std::string_view prefix = is_gpg ? spa::kGpgPrefix : spa::kRijndaelPrefix;
  std::array<char, kMaxFullText> text;
  std::array<std::uint8_t, kMaxFullText * 3 / 4> decoded;
  std::optional<std::size_t> decoded_size;
  std::string_view tag;
  if (hmac_length <= wire.size() && wire.size() <= spa::kMaxWireSize) {
    const std::string_view body = wire.substr(0, wire.size() - hmac_length);
    tag = wire.substr(body.size());
    // Restored exactly as the decoder restores it, so a copy sent with the prefix left on is the same text.
    std::size_t length = 0;
    if (!body.starts_with(prefix)) length = std::copy(prefix.begin(), prefix.end(), text.begin()) - text.begin();
    length = std::copy(body.begin(), body.end(), text.begin() + length) - text.begin();
    // libfko's decoder: what follows the first '=' is ignored, a lone last character gives nothing and unused low
    // bits are dropped, which is exactly the set of re-encodings that must not make a packet new.
    decoded_size = spa::base64_decode_into(std::string_view(text.data(), length), decoded);
  }
  begin();
  if (!decoded_size) {
    update(&kOpaqueDomain, 1);
    update(wire.data(), wire.size());
    return finish();
  }
  const std::size_t skip = is_gpg ? 0 : std::min(*decoded_size, kUncheckedRijndaelMagic);
  const std::size_t ciphertext_size = *decoded_size - skip;
  // The length separates ciphertext from tag, so no (ciphertext, tag) pair hashes like another split of its bytes.
  const std::array<std::uint8_t, 3> header = {is_gpg ? kGpgDomain : kRijndaelDomain, std::uint8_t(ciphertext_size >> 8),
                                              std::uint8_t(ciphertext_size)};
  update(header.data(), header.size());
  update(decoded.data() + skip, ciphertext_size);
  update(tag.data(), tag.size());
  return finish();
}

ReplayDigest ReplayDigester::plaintext(std::string_view encoded_message) {
  begin();
  update(&kPlaintextDomain, 1);
  update(encoded_message.data(), encoded_message.size());
  return finish();
}

ReplayDigest ReplayDigester::fwknop(std::string_view wire) {
  begin();
  update(wire.data(), wire.size());
  return finish();
}

ReplayDigest ReplayDigester::sealed(std::span<const std::uint8_t> packet) {
  // A label first, so no modern packet can share a digest with the canonical form of an fwknop one.
  static constexpr std::string_view kLabel = "sesame modern packet";
  begin();
  update(kLabel.data(), kLabel.size());
  update(packet.data(), packet.size());
  return finish();
}

ReplayDigest canonical_replay_digest(std::string_view wire, std::size_t hmac_length, spa::EncryptionType encryption) {
  return ReplayDigester().canonical(wire, hmac_length, encryption);
}

ReplayDigest plaintext_replay_digest(std::string_view encoded_message) {
  return ReplayDigester().plaintext(encoded_message);
}

ReplayDigest fwknop_replay_digest(std::string_view wire) {
  return ReplayDigester().fwknop(wire);
}

}  // namespace sesame::server
