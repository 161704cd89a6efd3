// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the NAT access parsing on both sides. The first line is (1) a packet's NAT access field "host,port"
// as the SPA decoder checks it and the pipeline splits it, and (2) the value of an access.conf FORCE_NAT
// "<IPv4> <port>" line, as the access parser reads it.
// Properties: a NAT access field the decoder accepts has one comma, a host of at most 70 characters and a port
// of 1-65535 that std::stoi reads without throwing (the pipeline relies on it); re-formatted as "host,port" it
// is accepted again and splits the same. A FORCE_NAT that parses is an IPv4 address and a port that `sesamed -D`
// prints and that re-parse to the same value; its address resolves without DNS to the address it names.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "config/access_dump.h"
#include "config/access_parser.h"
#include "config/network_match.h"
#include "server/firewall/nat_decision.h"
#include "spa/field_rules.h"

namespace {

struct Split {
  std::string host;
  int port = 0;
};

// As Pipeline does with a decoded NAT access field (src/server/pipeline.cc).
Split split(const std::string& nat) {
  const auto comma = nat.find(',');
  return Split{nat.substr(0, comma), std::stoi(nat.substr(comma + 1))};
}

void check_nat_access(const std::string& nat) {
  if (!sesame::spa::is_valid_nat_access(nat)) return;
  const auto comma = nat.find(',');
  if (comma == std::string::npos || nat.find(',', comma + 1) != std::string::npos || comma > 70) std::abort();
  const Split first = split(nat);
  if (first.port < 1 || first.port > 65535) std::abort();
  const std::string again = first.host + "," + std::to_string(first.port);
  if (!sesame::spa::is_valid_nat_access(again)) std::abort();
  const Split second = split(again);
  if (second.host != first.host || second.port != first.port) std::abort();
  // The firewall side, without DNS: an IPv4 literal resolves to itself, anything else is refused.
  const auto resolved = sesame::server::firewall::resolve_nat_host(first.host, false);
  const auto literal = sesame::config::IpAddress::parse(first.host);
  if (resolved.has_value() != (literal && literal->unmapped().is_ipv4())) std::abort();
  if (resolved && !(*resolved == literal->unmapped())) std::abort();
}

// The value `sesamed -D` prints after "<label>:  ", up to the end of that line.
std::string dumped(const std::string& dump, std::string_view label) {
  const std::string marker = std::string(label) + ":  ";
  const auto at = dump.find(marker);
  if (at == std::string::npos) std::abort();
  const auto start = at + marker.size();
  return dump.substr(start, dump.find('\n', start) - start);
}

std::optional<sesame::config::ForceNat> parse_force_nat(std::string_view value) {
  const std::string text = "SOURCE ANY\nKEY fuzzing-key\nFORCE_NAT " + std::string(value) + "\n";
  const auto file = sesame::config::parse_access("fuzz.conf", text, {.force_nat_allowed = true});
  if (!file.errors.empty()) return std::nullopt;
  if (file.stanzas.size() != 1) std::abort();
  if (!file.stanzas[0].force_nat) std::abort();  // no error, so the line was taken
  return file.stanzas[0].force_nat;
}

void check_force_nat(std::string_view value) {
  const auto nat = parse_force_nat(value);
  if (!nat) return;
  const auto address = sesame::config::IpAddress::parse(nat->ip);
  if (!address || !address->is_ipv4()) std::abort();
  const auto resolved = sesame::server::firewall::resolve_nat_host(nat->ip, false);
  if (!resolved || !(*resolved == *address)) std::abort();
  sesame::config::AccessStanza stanza;
  stanza.force_nat = nat;
  const std::string dump = sesame::config::dump_access_stanzas(std::span(&stanza, 1));
  const auto again = parse_force_nat(dumped(dump, "FORCE_NAT (ip)") + " " + dumped(dump, "FORCE_NAT (port)"));
  if (!again || again->ip != nat->ip || again->port != nat->port) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view line = text.substr(0, text.find('\n'));
  check_nat_access(std::string(line));
  check_force_nat(line);
  return 0;
}
