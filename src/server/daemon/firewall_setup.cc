// SPDX-License-Identifier: GPL-2.0-or-later
// make_daemon_firewall and the --fw-* actions over firewall/firewall_factory.h.
#include "server/daemon/firewall_setup.h"

#include <iostream>
#include <string>

#include "server/firewall/firewall_factory.h"

namespace sesame::server::daemon {
namespace {

// What a newcomer should do about the two start-up failures they meet most: a firewall whose tools are not
// installed, and a start without the privileges a firewall needs.
std::string with_hint(std::string message) {
  if (message.find("No such file or directory") != std::string::npos)
    message += " (install that firewall's tools, or choose another with FIREWALL_TYPE or --fw-type)";
  else if (message.find("Operation not permitted") != std::string::npos ||
           message.find("Permission denied") != std::string::npos)
    message += " (sesamed changes the firewall: run it as root, or with CAP_NET_ADMIN and CAP_NET_RAW)";
  return message;
}

}  // namespace

Result<std::unique_ptr<firewall::FirewallBackend>, std::string> make_daemon_firewall(const config::ServerConfig& server,
                                                                                     bool test_mode,
                                                                                     std::int64_t now_s) {
  if (test_mode) return std::unique_ptr<firewall::FirewallBackend>();
  auto backend = firewall::make_firewall_backend(server);
  if (!backend) return fail(with_hint(backend.error().message));
  if (auto started = (*backend)->start(now_s); !started) return fail(with_hint(started.error().message));
  return std::move(*backend);
}

int run_firewall_action(ServerAction action, const config::ServerConfig& server) {
  auto backend = firewall::make_firewall_backend(server);
  if (!backend) {
    std::cerr << "sesamed: " << backend.error().message << '\n';
    return 1;
  }
  if (action == ServerAction::kFwFlush) {
    std::cout << "Deleting any existing firewall rules...\n";
    if (auto flushed = (*backend)->flush(); !flushed) {
      std::cerr << "sesamed: " << flushed.error().message << '\n';
      return 1;
    }
    return 0;
  }
  auto listing = (*backend)->list(action == ServerAction::kFwListAll);
  if (!listing) {
    std::cerr << "sesamed: " << listing.error().message << '\n';
    return 1;
  }
  std::cout << *listing;
  return 0;
}

}  // namespace sesame::server::daemon
