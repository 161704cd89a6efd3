// SPDX-License-Identifier: GPL-2.0-or-later
// fwknop-compatible base64: nettle encodes; the lenient decoder is our own because no library decodes
// unpadded input with libfko's exact acceptance rules.
#include "spa/base64.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <nettle/base64.h>

namespace sesame::spa {
namespace {

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = std::uint8_t(i);
  return table;
}
constexpr auto kDecodeTable = make_decode_table();

// Only what comes before the first '=' or NUL counts. Two memchr() scans, not find_first_of(), which libstdc++
// implements as one memchr() call per character (6 ns each: most of the cost of decoding a packet).
std::size_t significant_length(std::string_view text) {
  std::size_t end = text.size();
  if (end == 0) return 0;  // memchr() must not see the null data() of an empty view
  for (const char stop : {'=', '\0'})
    if (const void* found = std::memchr(text.data(), stop, end))
      end = std::size_t(static_cast<const char*>(found) - text.data());
  return end;
}

// Groups of 2/3/4 characters give 1/2/3 bytes; a lone trailing character gives nothing.
std::size_t decoded_size(std::size_t characters) {
  const std::size_t tail = characters % 4;
  return characters / 4 * 3 + (tail == 0 ? 0 : tail - 1);
}

}  // namespace

std::string base64_encode_padded(std::span<const std::uint8_t> bytes) {
  std::string out(BASE64_ENCODE_RAW_LENGTH(bytes.size()), '\0');  // standard alphabet, '=' padded, no newlines
  base64_encode_raw(out.data(), bytes.size(), bytes.data());
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out = base64_encode_padded(bytes);
  if (const auto pad = out.find('='); pad != std::string::npos) out.resize(pad);
  return out;
}

std::string base64_encode(std::string_view text) {
  return base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::size_t base64_decoded_size(std::string_view text) {
  return decoded_size(significant_length(text));
}

std::optional<std::size_t> base64_decode_into(std::string_view text, std::span<std::uint8_t> out) {
  const std::size_t end = significant_length(text);
  const std::size_t whole_groups = end / 4;
  const std::size_t tail = end % 4;
  const std::size_t size = decoded_size(end);
  if (out.size() < size) return std::nullopt;
  std::uint8_t* write = out.data();
  const auto* read = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t group = 0; group < whole_groups; ++group, read += 4) {
    const std::uint8_t a = kDecodeTable[read[0]], b = kDecodeTable[read[1]], c = kDecodeTable[read[2]],
                       d = kDecodeTable[read[3]];
    if (((a | b | c | d) & 0xc0) != 0) return std::nullopt;  // valid values are < 64, kInvalid is 0xff
    const std::uint32_t bits = (std::uint32_t(a) << 18) | (std::uint32_t(b) << 12) | (std::uint32_t(c) << 6) | d;
    *write++ = std::uint8_t(bits >> 16);
    *write++ = std::uint8_t(bits >> 8);
    *write++ = std::uint8_t(bits);
  }
  // A partial group of 2 or 3 characters gives 1 or 2 bytes; a lone character gives nothing but must still be
  // in the alphabet. Unused low bits are not checked, as in libfko.
  std::uint32_t bits = 0;
  for (std::size_t i = 0; i < tail; ++i) {
    const std::uint8_t value = kDecodeTable[read[i]];
    if (value == kInvalid) return std::nullopt;
    bits = (bits << 6) | value;
  }
  if (tail == 2) {
    *write = std::uint8_t(bits >> 4);
  } else if (tail == 3) {
    write[0] = std::uint8_t(bits >> 10);
    write[1] = std::uint8_t(bits >> 2);
  }
  return size;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  std::vector<std::uint8_t> out(base64_decoded_size(text));
  if (!base64_decode_into(text, out)) return std::nullopt;
  return out;
}

std::optional<std::string> base64_decode_text(std::string_view text) {
  auto bytes = base64_decode(text);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

bool is_base64_text(std::string_view text) {
  for (const char c : text)
    if (c != '=' && kDecodeTable[static_cast<unsigned char>(c)] == kInvalid) return false;
  return true;
}

}  // namespace sesame::spa
