// SPDX-License-Identifier: GPL-2.0-or-later
// Base64 exactly as fwknop uses it (protocol.md §2): standard alphabet, output cut at the first '=',
// lenient decoding of unpadded input.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sesame::spa {

// Standard base64 with '=' padding (what --key-gen prints).
std::string base64_encode_padded(std::span<const std::uint8_t> bytes);
// Standard base64 cut at the first '=': the form of every base64 value inside an SPA packet.
std::string base64_encode(std::span<const std::uint8_t> bytes);
std::string base64_encode(std::string_view text);

// libfko's lenient decoder: stops at the first '=' or NUL, rejects any other byte outside the alphabet,
// groups of 2/3/4 characters give 1/2/3 bytes, a lone trailing character gives nothing.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);
// The same decoder without allocating, for the packet path: the number of bytes base64_decode() would return.
std::size_t base64_decoded_size(std::string_view text);
// Writes those bytes to `out` (at least base64_decoded_size(text) long) and returns their count.
std::optional<std::size_t> base64_decode_into(std::string_view text, std::span<std::uint8_t> out);
std::optional<std::string> base64_decode_text(std::string_view text);

// Every byte in [A-Za-z0-9+/=] (libfko's is_base64 test on raw input).
bool is_base64_text(std::string_view text);

}  // namespace sesame::spa
