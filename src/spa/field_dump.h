// SPDX-License-Identifier: GPL-2.0-or-later
// The "SPA Field Values" dump in the layout of `fwknop -v`, so users can compare it line by line.
#pragma once

#include <string>
#include <string_view>

#include "spa/keys.h"
#include "spa/modern_codec.h"
#include "spa/packet_codec.h"

namespace sesame::spa {

// Labels right-aligned to 15 characters, "<NULL>" for absent strings, as fwknop prints them.
std::string format_field_dump(const DecodedPacket& packet, const Keys& keys, std::string_view wire);
// The same for a modern-mode packet: the message's fields, the AEAD and the key id (no digest, no HMAC).
std::string format_modern_field_dump(const Message& message, const ModernCodec& codec, std::string_view wire);

}  // namespace sesame::spa
