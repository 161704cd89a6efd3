// SPDX-License-Identifier: GPL-2.0-or-later
// Value parsers shared by the client's command line and rc file.
#include "config/config_text.h"
#include "config/setting_values.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace sesame::config {
namespace {

constexpr std::array<std::pair<std::string_view, SpaProtocol>, 6> kProtocols{{
    {"udp", SpaProtocol::kUdp},
    {"tcp", SpaProtocol::kTcp},
    {"udpraw", SpaProtocol::kUdpRaw},
    {"tcpraw", SpaProtocol::kTcpRaw},
    {"icmp", SpaProtocol::kIcmp},
    {"http", SpaProtocol::kHttp},
}};

}  // namespace

std::optional<std::uint32_t> parse_unsigned(std::string_view text, std::uint32_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + std::uint64_t(c - '0');
  }
  if (value > max) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  const auto value = parse_unsigned(text, 65535);
  if (!value) return std::nullopt;
  return static_cast<std::uint16_t>(*value);
}

std::optional<SpaProtocol> parse_spa_protocol(std::string_view text) {
  for (const auto& [name, protocol] : kProtocols)
    if (iequals(name, text)) return protocol;
  return std::nullopt;
}

std::string_view spa_protocol_name(SpaProtocol protocol) {
  for (const auto& [name, candidate] : kProtocols)
    if (candidate == protocol) return name;
  return "udp";
}

std::optional<spa::EncryptionMode> parse_client_encryption_mode(std::string_view text) {
  if (iequals(text, "asymmetric")) return spa::EncryptionMode::kAsymmetric;
  return spa::parse_encryption_mode_name(text);
}

std::optional<std::int64_t> parse_time_offset(std::string_view text) {
  std::int64_t value = 0;
  std::size_t digits = 0;
  std::int64_t unit = 1;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      if (++digits > 8) return std::nullopt;
      value = value * 10 + (c - '0');
      continue;
    }
    switch (std::tolower(static_cast<unsigned char>(c))) {
      case 's':
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        if (!std::isalpha(static_cast<unsigned char>(c))) return std::nullopt;  // "60sec": other letters ignored
    }
    if (unit != 1 || std::tolower(static_cast<unsigned char>(c)) == 's') break;  // the first unit letter decides
  }
  if (digits == 0 || value > 65536) return std::nullopt;
  return value * unit;
}

bool parse_yes_no(std::string_view text) {
  return text == "Y" || text == "y";
}

}  // namespace sesame::config
