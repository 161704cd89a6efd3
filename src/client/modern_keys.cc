// SPDX-License-Identifier: GPL-2.0-or-later
#include "client/modern_keys.h"

#include <algorithm>

#include "spa/base64.h"

namespace sesame::client {

Result<spa::ModernCodec> make_modern_codec(const config::ClientSettings& settings) {
  if (!settings.modern_server_public_key_base64)
    return fail(
        ClientError{"MODERN_PRIVATE_KEY_BASE64 needs MODERN_SERVER_PUBLIC_KEY_BASE64 (the server's "
                    "public key, from sesamed --key-gen --modern)"});
  // Decoded straight into wiped storage: no other copy of the private key is left behind.
  const std::string_view private_text = settings.modern_private_key_base64->as_text();
  if (!spa::is_base64_text(private_text) || spa::base64_decoded_size(private_text) != spa::kX25519KeySize)
    return fail(ClientError{"MODERN_PRIVATE_KEY_BASE64: not a base64 X25519 private key (32 bytes)"});
  SecretBytes secret(spa::kX25519KeySize);
  if (!spa::base64_decode_into(private_text, secret.mutable_bytes()))
    return fail(ClientError{"MODERN_PRIVATE_KEY_BASE64: not a base64 X25519 private key (32 bytes)"});
  const auto public_key = spa::base64_decode(*settings.modern_server_public_key_base64);
  if (!public_key || public_key->size() != spa::kX25519KeySize)
    return fail(ClientError{"MODERN_SERVER_PUBLIC_KEY_BASE64: not a base64 X25519 public key (32 bytes)"});
  spa::X25519PublicKey server_public_key{};
  std::copy(public_key->begin(), public_key->end(), server_public_key.begin());
  auto codec =
      spa::ModernCodec::for_client(settings.modern_aead.value_or(spa::kDefaultAeadSuite), secret, server_public_key);
  if (!codec) return fail(ClientError{"modern mode: " + codec.error().to_string()});
  return std::move(*codec);
}

}  // namespace sesame::client
