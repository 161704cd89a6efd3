// SPDX-License-Identifier: GPL-2.0-or-later
// The client's side of modern mode (docs/modern-mode.md): its keys from the rc file or command line.
#pragma once

#include "client/client_error.h"
#include "config/client_settings.h"
#include "spa/modern_codec.h"

namespace sesame::client {

// A modern packet is sent when MODERN_PRIVATE_KEY_BASE64 is set.
inline bool uses_modern_mode(const config::ClientSettings& settings) {
  return settings.modern_private_key_base64.has_value();
}

// MODERN_PRIVATE_KEY_BASE64 with MODERN_SERVER_PUBLIC_KEY_BASE64 and MODERN_AEAD; errors name the variable.
Result<spa::ModernCodec> make_modern_codec(const config::ClientSettings& settings);

}  // namespace sesame::client
