// SPDX-License-Identifier: GPL-2.0-or-later
// The inner layer: Message <-> encoded message + ':' + inner digest (protocol.md §3), no encryption.
#pragma once

#include <string>
#include <string_view>

#include "spa/digest.h"
#include "spa/error.h"
#include "spa/message.h"

namespace sesame::spa {

// The ':'-joined fields, after the type adjustment; refuses any message fwknop's decoder would reject.
Result<std::string> encode_message(const Message& message);
// encode_message + ':' + base64 digest of it: the bytes that get encrypted.
Result<std::string> make_plaintext(const Message& message, const DigestSet& digests);

struct DecodedPlaintext {
  Message message;
  std::string encoded;  // the encoded message, digest cut off
  std::string digest;   // the inner digest as received
};

// protocol.md §3.7: length, printable, field count, digest (type by length), then each field in order.
Result<DecodedPlaintext> decode_plaintext(std::string_view plaintext, const DigestSet& digests);

// The encoded message alone (no digest), checked field by field as decode_plaintext does: modern mode carries it
// without a digest, as its AEAD tag already covers every byte.
Result<Message> decode_message(std::string_view encoded);

}  // namespace sesame::spa
