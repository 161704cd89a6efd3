// SPDX-License-Identifier: GPL-2.0-or-later
// build_watch_list: rc-file stanzas -> (address, port) -> stanza.
#include "launcher/watch_list.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>

#include "config/port_list.h"
#include "config/rc_settings.h"

namespace sesame::launcher {
namespace {

using config::ConfigError;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The line that set `variable` last for `stanza` (its own sections after [default], as settings_from_rc applies
// them), or the stanza's first "[name]" line when none did.
int setting_line(const config::RcFile& file, std::string_view stanza, std::string_view variable) {
  int line = 0;
  int stanza_line = 0;
  for (const bool own : {false, true}) {
    for (const auto& section : file.stanzas) {
      if (!iequals(section.name, own ? stanza : std::string_view("default"))) continue;
      if (own && stanza_line == 0) stanza_line = section.line;
      for (const auto& setting : section.settings)
        if (iequals(setting.variable, variable)) line = setting.line;
    }
  }
  return line != 0 ? line : stanza_line;
}

struct AddrInfoFree {
  void operator()(addrinfo* info) const noexcept { ::freeaddrinfo(info); }
};

// Every address `host` has (numeric or a name), deduplicated, in resolver order.
Result<std::vector<TcpDestination>, std::string> resolve(const std::string& host, bool ipv4_only) {
  addrinfo hints{};
  hints.ai_family = ipv4_only ? AF_INET : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  if (status != 0) return fail(std::string(::gai_strerror(status)));
  const std::unique_ptr<addrinfo, AddrInfoFree> list(raw);
  std::vector<TcpDestination> addresses;
  for (const addrinfo* info = list.get(); info != nullptr; info = info->ai_next) {
    TcpDestination destination;
    if (info->ai_family == AF_INET) {
      sockaddr_in address{};
      std::memcpy(&address, info->ai_addr, sizeof address);
      destination = make_destination(AF_INET, reinterpret_cast<const std::uint8_t*>(&address.sin_addr), 0);
    } else if (info->ai_family == AF_INET6) {
      sockaddr_in6 address{};
      std::memcpy(&address, info->ai_addr, sizeof address);
      destination = make_destination(AF_INET6, reinterpret_cast<const std::uint8_t*>(&address.sin6_addr), 0);
    } else {
      continue;
    }
    if (std::find(addresses.begin(), addresses.end(), destination) == addresses.end()) addresses.push_back(destination);
  }
  if (addresses.empty()) return fail(std::string("no IPv4 or IPv6 address"));
  return addresses;
}

// Stanza names in file order, each once (a name may head several sections), [default] left out.
std::vector<std::string> all_stanzas(const config::RcFile& file) {
  std::vector<std::string> names;
  for (const auto& name : config::stanza_names(file))
    if (std::none_of(names.begin(), names.end(), [&](const std::string& seen) { return iequals(seen, name); }))
      names.push_back(name);
  return names;
}

}  // namespace

const WatchEntry* WatchList::find(const TcpDestination& destination) const {
  for (const auto& entry : entries)
    if (entry.destination == destination) return &entry;
  return nullptr;
}

Result<WatchList, std::vector<ConfigError>> build_watch_list(const config::RcFile& file,
                                                             const std::vector<std::string>& names) {
  const bool explicit_names = !names.empty();
  const std::vector<std::string> stanzas = explicit_names ? names : all_stanzas(file);
  WatchList list;
  std::vector<ConfigError> errors;
  const auto error = [&](std::string_view stanza, std::string_view variable, std::string message) {
    errors.push_back({file.file_name, setting_line(file, stanza, variable), std::move(message)});
  };
  for (const auto& name : stanzas) {
    if (!config::has_stanza(file, name) || iequals(name, "default")) {
      errors.push_back({file.file_name, 0, "no stanza [" + name + "]"});
      continue;
    }
    auto settings = config::settings_from_rc(file, name);
    if (!settings) {
      // Only a selected stanza's problems stop the launcher; in "all stanzas" mode the client would refuse that
      // stanza too, so it is an error there as well rather than a stanza silently not watched.
      errors.insert(errors.end(), settings.error().begin(), settings.error().end());
      continue;
    }
    const std::string label = "[" + name + "] ";
    if (!settings->spa_server || settings->spa_server->empty()) {
      if (explicit_names) error(name, "SPA_SERVER", label + "SPA_SERVER: not set, so there is no host to watch");
      continue;
    }
    if (!settings->access) {
      if (explicit_names) error(name, "ACCESS", label + "ACCESS: not set, so there is no port to watch");
      continue;
    }
    const auto ports = config::parse_port_list(*settings->access);
    if (!ports) {
      error(name, "ACCESS", label + "ACCESS: \"" + ports.error() + "\" is not proto/port (tcp/22)");
      continue;
    }
    std::vector<std::uint16_t> tcp_ports;
    for (const auto& entry : *ports)
      if (entry.protocol == config::Protocol::kTcp && entry.port != 0) tcp_ports.push_back(entry.port);
    if (tcp_ports.empty()) {
      if (explicit_names) error(name, "ACCESS", label + "ACCESS: \"" + *settings->access + "\" has no tcp port");
      continue;
    }
    const auto addresses = resolve(*settings->spa_server, settings->server_resolve_ipv4.value_or(false));
    if (!addresses) {
      error(name, "SPA_SERVER", label + "SPA_SERVER: \"" + *settings->spa_server + "\": " + addresses.error());
      continue;
    }
    for (const auto& address : *addresses) {
      for (const std::uint16_t port : tcp_ports) {
        TcpDestination destination = address;
        destination.port = port;
        if (const WatchEntry* owner = list.find(destination)) {
          if (!iequals(owner->stanza, name))
            list.warnings.push_back(to_string(destination) + " is named by [" + owner->stanza + "] and [" + name +
                                    "]: [" + owner->stanza + "] knocks for it");
          continue;
        }
        list.entries.push_back({destination, name});
      }
    }
  }
  if (!explicit_names && errors.empty() && list.entries.empty())
    errors.push_back({file.file_name, 0, "no stanza has SPA_SERVER and a tcp port in ACCESS: nothing to watch"});
  if (!errors.empty()) return fail(std::move(errors));
  return list;
}

}  // namespace sesame::launcher
