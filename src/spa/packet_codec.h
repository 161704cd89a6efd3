// SPDX-License-Identifier: GPL-2.0-or-later
// The public API of libsesame: Message <-> SPA wire payload, with encryption and HMAC (protocol.md §7, §8).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spa/digest.h"
#include "spa/error.h"
#include "spa/gpg.h"
#include "spa/hmac.h"
#include "spa/keys.h"
#include "spa/message.h"
#include "spa/rijndael.h"

namespace sesame::spa {

// Base64 of the constant start of every ciphertext blob, which is cut off before sending (protocol.md §4.5, §5).
constexpr std::string_view kRijndaelPrefix = "U2FsdGVkX1";
constexpr std::string_view kGpgPrefix = "hQ";
// fwknop treats anything of 400 characters or more as GPG and cannot decrypt it as Rijndael (protocol.md §11).
constexpr std::size_t kMaxRijndaelWireSize = 399;
constexpr std::size_t kMinWireSize = 36;
constexpr std::size_t kMaxWireSize = 1499;

struct EncodeOptions {
  std::optional<Salt> salt;  // fixed salt for known-answer tests; random when absent
};

struct DecodedPacket {
  Message message;
  std::string encoded;         // the encoded message (fields joined by ':')
  std::string digest;          // the inner digest as received
  std::optional<Salt> salt;    // Rijndael only
  GpgSignature gpg_signature;  // GPG only
};

// One object per key set (one per access stanza on the server): keys are checked, algorithms fetched and
// contexts keyed once, so each packet pays only for its own crypto. Not thread-safe.
class PacketCodec {
 public:
  static Result<PacketCodec> create(const Keys& keys);

  Result<std::string> encode(const Message& message, const EncodeOptions& options = {});
  Result<DecodedPacket> decode(std::string_view wire);
  // The cheap first stage of a server: structure and HMAC only, before any decryption.
  Result<Ok> authenticate(std::string_view wire);

 private:
  explicit PacketCodec(Keys keys) : keys_(std::move(keys)) {}
  std::string_view prefix() const;
  // Splits off and verifies the HMAC; returns the full base64 text (prefix restored).
  Result<std::string> authenticated_base64(std::string_view wire);
  Result<std::string> decrypt(std::string_view full_base64, DecodedPacket& packet);

  Keys keys_;
  DigestSet digests_;
  std::optional<RijndaelCipher> cipher_;
  std::optional<HmacAuthenticator> hmac_;
};

// Convenience for one-off use; a loop should keep a PacketCodec instead.
Result<std::string> encode(const Message& message, const Keys& keys, const EncodeOptions& options = {});
Result<DecodedPacket> decode(std::string_view wire, const Keys& keys);

}  // namespace sesame::spa
