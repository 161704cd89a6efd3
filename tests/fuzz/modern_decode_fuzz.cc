// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: modern mode's receiving side (docs/modern-mode.md). The first byte picks the suite (bit 0) and the
// path (bit 1): 0, the input is a wire packet for the server (base64, header, key id, tag, fields); 1, the input is
// a sealed message's text, decoded as the server decodes it after the tag (a forger cannot reach that code, a
// client bug can). Properties: never crash; whatever decodes re-seals, and opens to the same message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "modern_keys.h"
#include "spa/message_codec.h"

namespace {

using namespace sesame;

// The encoder applies libfko's type adjustment (a client-timeout type with timeout 0 is sent as the plain type), so
// what comes back is the message with that adjustment, and nothing else changed.
void check_round_trip(spa::ModernCodec& client, spa::ModernCodec& server, const spa::Message& message) {
  auto wire = client.encode(message);
  if (!wire) std::abort();
  spa::Message expected = message;
  expected.type = spa::adjusted_type(message.type, message.nat_access.has_value(), message.client_timeout);
  auto opened = server.decode(*wire);
  if (!opened || !(*opened == expected)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static spa::ModernCodec clients[] = {fuzz::fuzz_modern_codec(false, spa::AeadSuite::kChaCha20Poly1305),
                                       fuzz::fuzz_modern_codec(false, spa::AeadSuite::kAes256Gcm)};
  static spa::ModernCodec servers[] = {fuzz::fuzz_modern_codec(true, spa::AeadSuite::kChaCha20Poly1305),
                                       fuzz::fuzz_modern_codec(true, spa::AeadSuite::kAes256Gcm)};
  if (size == 0) return 0;
  const std::size_t suite = data[0] & 1;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 2) == 0) {
    auto message = servers[suite].decode(input);
    if (message) check_round_trip(clients[suite], servers[suite], *message);
    return 0;
  }
  auto message = spa::decode_message(input);
  if (message) check_round_trip(clients[suite], servers[suite], *message);
  return 0;
}
