// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the inner plaintext decoder alone, which random bytes rarely reach through the cipher.
// Property: anything accepted re-encodes to exactly the same plaintext.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spa/message_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const sesame::spa::DigestSet digests;
  const std::string_view plaintext(reinterpret_cast<const char*>(data), size);
  auto decoded = sesame::spa::decode_plaintext(plaintext, digests);
  if (!decoded) return 0;
  auto again = sesame::spa::make_plaintext(decoded->message, digests);
  if (!again || *again != plaintext) std::abort();
  return 0;
}
