// SPDX-License-Identifier: GPL-2.0-or-later
// Content rules for the decoded text fields (protocol.md §3.1, §3.3), shared by encoder and decoder.
#pragma once

#include <array>
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
// sesame's extension (docs/compat.md, "IPv6 allow addresses"): an IPv6 allow address in the text form inet_pton
// accepts, at most 39 characters of hex digits and ':' (no zone, no embedded dotted quad). Not "::" and not an
// IPv4-mapped address: 0.0.0.0 alone means "the packet's source", and an IPv4 address has its own form. fwknopd
// accepts digits and dots only, so it refuses such a packet as an invalid allow IP instead of misreading it.
std::optional<std::array<std::uint8_t, 16>> parse_allow_ipv6(std::string_view ip);
// Either allow address: the IPv4 form above or an IPv6 one.
bool is_valid_allow_address(std::string_view ip);
// "IP,proto/port[,proto/port...]" with proto tcp or udp and port 1..65535; IP as is_valid_allow_address.
bool is_valid_access_message(std::string_view message);
// "IP,<at least one byte>"; IP as is_valid_allow_address.
bool is_valid_command_message(std::string_view message);
// "host,port": one comma, host up to 70 characters without space / ? " ' \, port 1..65535. The host may be
// empty, as libfko allows (fwknop --nat-local without -D builds ",22").
bool is_valid_nat_access(std::string_view nat_access);
// Every byte printable ASCII (0x20..0x7e), as libfko's isprint() check on the plaintext.
bool is_printable(std::string_view text);

}  // namespace sesame::spa
