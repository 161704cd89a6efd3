// SPDX-License-Identifier: GPL-2.0-or-later
// Text helpers of the config parsers.
#include "config/config_text.h"

#include <algorithm>
#include <cctype>

namespace sesame::config {
namespace {

constexpr std::size_t kMaxEchoedValue = 64;

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text.substr(0, kMaxEchoedValue)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  if (text.size() > kMaxEchoedValue) out += "...";
  return out;
}

}  // namespace sesame::config
