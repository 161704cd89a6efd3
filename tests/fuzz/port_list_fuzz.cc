// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the protocol/port list parser behind OPEN_PORTS, RESTRICT_PORTS and the access string of a request
// (the client's -A list as the server reads it), and the port policy check built on it.
// Properties: a list that parses re-formats ("tcp/22,udp/53") and re-parses to the same entries; the packet-path
// parse_port_list_into agrees with parse_port_list; a refused list names an item that is in the input and does not
// parse alone; the policy check allows a list by itself as OPEN_PORTS and denies it by itself as RESTRICT_PORTS;
// an access string that the SPA decoder accepts always parses here (else a valid packet would be denied).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/port_list.h"
#include "spa/field_rules.h"

namespace {

using sesame::config::PortList;

std::string format(const PortList& list) {
  std::string text;
  for (const auto& entry : list) {
    if (!text.empty()) text += ',';
    text += sesame::config::to_string(entry);
  }
  return text;
}

void check(std::string_view text) {
  const auto parsed = sesame::config::parse_port_list(text);
  PortList into{{sesame::config::Protocol::kUdp, 9}};  // filled before: the call must clear it
  const bool into_ok = sesame::config::parse_port_list_into(text, into);
  if (into_ok != parsed.has_value()) std::abort();
  if (!parsed) {
    const std::string& bad = parsed.error();
    if (text.find(bad) == std::string_view::npos || sesame::config::parse_proto_port(bad)) std::abort();
    return;
  }
  const PortList& list = *parsed;
  if (into != list || list.empty()) std::abort();  // an empty text is one empty item, which is refused
  for (const auto& entry : list) {
    const auto again = sesame::config::parse_proto_port(sesame::config::to_string(entry));
    if (!again || *again != entry) std::abort();
  }
  const auto reparsed = sesame::config::parse_port_list(format(list));
  if (!reparsed || *reparsed != list) std::abort();
  if (!sesame::config::ports_allowed(list, list, std::nullopt)) std::abort();
  if (sesame::config::ports_allowed(list, std::nullopt, list)) std::abort();
  if (sesame::config::ports_allowed({}, std::nullopt, std::nullopt)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(text);
  // The first line as a whole access message: what the decoder lets through, the pipeline must be able to read.
  const std::string message = "10.0.0.1," + std::string(text.substr(0, text.find('\n')));
  if (sesame::spa::is_valid_access_message(message)) {
    const auto list = sesame::config::parse_port_list(std::string_view(message).substr(message.find(',') + 1));
    if (!list) std::abort();
    for (const auto& entry : *list)
      if (entry.port == 0) std::abort();  // the decoder takes ports 1-65535 only
  }
  return 0;
}
