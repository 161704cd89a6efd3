// SPDX-License-Identifier: GPL-2.0-or-later
// Protocol/port list parsing and the port policy check (fwknop's parse_proto_and_port, expand_acc_port_list
// and compare_port_list, server/access.c).
#include "config/config_text.h"
#include "config/port_list.h"

#include <algorithm>
#include <cctype>

namespace sesame::config {
namespace {

constexpr std::uint32_t kMaxPort = 65535;

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

bool contains(std::span<const ProtoPort> list, const ProtoPort& entry) {
  return std::find(list.begin(), list.end(), entry) != list.end();
}

// Calls on_item(item) for each trimmed comma-separated item; stops and returns the item on which it fails.
template <class OnItem>
std::optional<std::string_view> for_each_item(std::string_view text, OnItem on_item) {
  std::size_t at = 0;
  while (true) {
    const std::size_t comma = text.find(',', at);
    const std::string_view item = trim(text.substr(at, comma == std::string_view::npos ? comma : comma - at));
    if (!on_item(item)) return item;
    if (comma == std::string_view::npos) return std::nullopt;
    at = comma + 1;
  }
}

}  // namespace

std::optional<ProtoPort> parse_proto_port(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view protocol = text.substr(0, slash);
  const std::string_view port = text.substr(slash + 1);
  ProtoPort entry;
  if (iequals(protocol, "tcp")) {
    entry.protocol = Protocol::kTcp;
  } else if (iequals(protocol, "udp")) {
    entry.protocol = Protocol::kUdp;
  } else {
    return std::nullopt;  // icmp/none in a request make fwknopd deny it too
  }
  if (port.empty() || port.size() > 5) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > kMaxPort) return std::nullopt;
  entry.port = static_cast<std::uint16_t>(value);
  return entry;
}

Result<PortList, std::string> parse_port_list(std::string_view text) {
  PortList list;
  if (const auto bad = for_each_item(text, [&](std::string_view item) {
        const auto entry = parse_proto_port(item);
        if (entry) list.push_back(*entry);
        return entry.has_value();
      }))
    return fail(std::string(*bad));
  return list;
}

bool parse_port_list_into(std::string_view text, PortList& out) {
  out.clear();
  return !for_each_item(text, [&](std::string_view item) {
    const auto entry = parse_proto_port(item);
    if (entry) out.push_back(*entry);
    return entry.has_value();
  });
}

bool ports_allowed(std::span<const ProtoPort> requested, const std::optional<PortList>& open_ports,
                   const std::optional<PortList>& restrict_ports) {
  if (requested.empty()) return false;
  if (restrict_ports &&
      std::any_of(requested.begin(), requested.end(), [&](const ProtoPort& e) { return contains(*restrict_ports, e); }))
    return false;
  if (open_ports &&
      !std::all_of(requested.begin(), requested.end(), [&](const ProtoPort& e) { return contains(*open_ports, e); }))
    return false;
  return true;
}

std::string_view protocol_name(Protocol protocol) {
  return protocol == Protocol::kUdp ? "udp" : "tcp";
}

std::string to_string(const ProtoPort& entry) {
  return std::string(protocol_name(entry.protocol)) + "/" + std::to_string(entry.port);
}

}  // namespace sesame::config
