// SPDX-License-Identifier: GPL-2.0-or-later
// Parsers for the value syntaxes shared by the client's command line and its rc file (client.md §2, §3),
// so that `-p 70000` and `SPA_SERVER_PORT 70000` are judged by the same rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/client_settings.h"
#include "spa/types.h"

namespace sesame::config {

// Decimal digits only (no sign, no spaces), value 0..max.
std::optional<std::uint32_t> parse_unsigned(std::string_view text, std::uint32_t max);
std::optional<std::uint16_t> parse_port(std::string_view text);        // 0..65535
std::optional<SpaProtocol> parse_spa_protocol(std::string_view text);  // udp tcp udpraw tcpraw icmp http, any case
std::string_view spa_protocol_name(SpaProtocol protocol);
// CBC ECB CFB OFB CTR legacy, and Asymmetric (GPG), any case; PCBC is refused as fwknop refuses it.
std::optional<spa::EncryptionMode> parse_client_encryption_mode(std::string_view text);
// "<digits>[s|m|h|d]": at most 8 digits and 65536 units; the unit letter in any case, other letters ignored
// ("60sec", "2days"), as fwknop's --time-offset-plus/minus. Seconds, not yet signed.
std::optional<std::int64_t> parse_time_offset(std::string_view text);
// Y or y is yes, anything else no (fwknop's rc-file booleans).
bool parse_yes_no(std::string_view text);

}  // namespace sesame::config
