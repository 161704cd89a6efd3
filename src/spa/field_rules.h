// SPDX-License-Identifier: GPL-2.0-or-later
// Content rules for the decoded text fields (protocol.md §3.1, §3.3), shared by encoder and decoder.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sesame::spa {

// fwknop's username rule: printable ASCII except " / \ [ ] : ; | = , + * ? < > ; space allowed.
bool is_valid_username(std::string_view username);
// Dotted-quad IPv4 of 7..15 digits and dots that inet_aton() accepts, as fwknop checks it. A part with a
// leading zero is octal there ("010" is 8; "08" is invalid); parse_allow_ip gives the address fwknopd uses.
bool is_valid_allow_ip(std::string_view ip);
// The address in host byte order, interpreted exactly as fwknopd does; nullopt if not valid.
std::optional<std::uint32_t> parse_allow_ip(std::string_view ip);
// "IP,proto/port[,proto/port...]" with proto tcp or udp and port 1..65535.
bool is_valid_access_message(std::string_view message);
// "IP,<at least one byte>".
bool is_valid_command_message(std::string_view message);
// "host,port": one comma, host up to 70 characters without space / ? " ' \, port 1..65535. The host may be
// empty, as libfko allows (fwknop --nat-local without -D builds ",22").
bool is_valid_nat_access(std::string_view nat_access);
// Every byte printable ASCII (0x20..0x7e), as libfko's isprint() check on the plaintext.
bool is_printable(std::string_view text);

}  // namespace sesame::spa
