// SPDX-License-Identifier: GPL-2.0-or-later
// CMD_CYCLE_OPEN/CLOSE expansion (server.md §6).
#include "server/exec/cycle_command.h"

#include <algorithm>
#include <array>

namespace sesame::server::exec {
namespace {

enum class Variable { kIp, kSrc, kPktSrc, kDst, kPort, kProto, kTimeout, kClientTimeout };

struct VariableName {
  std::string_view name;
  Variable variable;
};

// fwknopd's order of tests; the first name that prefixes the text after '$' wins.
constexpr std::array<VariableName, 8> kVariables{{
    {"IP", Variable::kIp},
    {"SRC", Variable::kSrc},
    {"PKT_SRC", Variable::kPktSrc},
    {"DST", Variable::kDst},
    {"PORT", Variable::kPort},
    {"PROTO", Variable::kProto},
    {"TIMEOUT", Variable::kTimeout},
    {"CLIENT_TIMEOUT", Variable::kClientTimeout},
}};

std::string value_of(Variable variable, const CycleValues& values) {
  switch (variable) {
    case Variable::kIp:
      return values.ip;
    case Variable::kSrc:
      return values.src;
    case Variable::kPktSrc:
      return values.pkt_src;
    case Variable::kDst:
      return values.dst;
    case Variable::kPort:
      return std::to_string(values.port);
    case Variable::kProto:
      return std::to_string(values.proto);
    case Variable::kTimeout:
      return std::to_string(values.timeout_epoch);
    case Variable::kClientTimeout:
      return std::to_string(values.client_timeout);
  }
  return {};
}

}  // namespace

Result<CycleValues, std::string> cycle_values(const AccessRequest& request, const config::AccessStanza& stanza,
                                              std::chrono::seconds client_timeout) {
  // fwknopd parses the access string here; the pipeline already did, so an empty list means it was no port list.
  if (request.ports.empty()) return fail(std::string("the access string has no tcp/udp port"));

  const std::chrono::seconds effective =
      client_timeout.count() > 0 ? std::min(client_timeout, stanza.max_fw_timeout) : stanza.cmd_cycle_timer;

  CycleValues values;
  values.ip = request.allow_ip.to_string();
  values.src = values.ip;
  values.pkt_src = request.packet_source.to_string();
  values.dst = request.packet_destination.to_string();
  values.port = request.ports.front().port;
  values.proto = static_cast<int>(request.ports.front().protocol);
  values.client_timeout = effective.count();
  values.timeout_epoch = request.timestamp_s + effective.count();
  return values;
}

Result<std::string, std::string> expand_cycle_command(std::string_view templ, const CycleValues& values) {
  std::string out;
  out.reserve(kCycleCommandBufferSize);
  for (std::size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] != '$') {
      out += templ[i];
      continue;
    }
    const std::string_view rest = templ.substr(i + 1);
    for (const auto& [name, variable] : kVariables) {
      if (rest.starts_with(name)) {
        out += value_of(variable, values);
        i += name.size();
        break;
      }
    }
    // No match: the '$' alone is dropped and the name is copied as text by the next iterations.
  }
  if (out.size() >= kCycleCommandBufferSize)
    return fail("expanded command has " + std::to_string(out.size()) + " characters (at most " +
                std::to_string(kCycleCommandBufferSize - 1) + ")");
  return out;
}

}  // namespace sesame::server::exec
