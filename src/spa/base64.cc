// SPDX-License-Identifier: GPL-2.0-or-later
// fwknop-compatible base64: OpenSSL encodes; the lenient decoder is our own because no library decodes
// unpadded input with libfko's exact acceptance rules.
#include "spa/base64.h"

#include <array>

#include <openssl/evp.h>

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

}  // namespace

std::string base64_encode_padded(std::span<const std::uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), int(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
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

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  out.reserve(text.size() * 3 / 4 + 3);
  std::uint32_t group = 0;
  int count = 0;
  for (const char c : text) {
    if (c == '=' || c == '\0') break;
    const std::uint8_t value = kDecodeTable[static_cast<unsigned char>(c)];
    if (value == kInvalid) return std::nullopt;
    group = (group << 6) | value;
    if (++count == 4) {
      out.push_back(std::uint8_t(group >> 16));
      out.push_back(std::uint8_t(group >> 8));
      out.push_back(std::uint8_t(group));
      group = 0;
      count = 0;
    }
  }
  // Unused low bits of a partial group are not checked, as in libfko.
  if (count == 2) {
    out.push_back(std::uint8_t(group >> 4));
  } else if (count == 3) {
    out.push_back(std::uint8_t(group >> 10));
    out.push_back(std::uint8_t(group >> 2));
  }
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
