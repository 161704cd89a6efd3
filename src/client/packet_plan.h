// SPDX-License-Identifier: GPL-2.0-or-later
// From settings to what gets sent: the combination checks of fwknop's client (client.md §2, end), the message
// type, the SPA message and NAT strings, the random ports, and the libsesame keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/client_error.h"
#include "client/client_invocation.h"
#include "client/key_input.h"
#include "client/spa_sender.h"
#include "spa/keys.h"
#include "spa/message.h"

namespace sesame::client {

// The settings after the rc file and command line are merged; checks that need no keys yet, in fwknop's order.
Result<Ok> check_settings(const ClientInvocation& invocation);

struct PacketPlan {
  spa::Message message;
  spa::Keys keys;
  SendRequest send;
  std::vector<std::string> notices;  // warnings and notes for the user (e.g. the random NAT port chosen)
};

// Things the plan needs from the outside world, so the planning itself stays testable.
struct PlanInputs {
  std::string allow_ip;               // resolved: -a, 0.0.0.0 for -s, or the -R answer
  std::string username;               // -U, else from the environment
  std::int64_t now_s = 0;             // time(NULL)
  std::uint16_t random_port = 0;      // for -r: 10000..65534
  std::uint16_t random_nat_port = 0;  // for --nat-rand-port: 10000..65534
};

Result<PacketPlan> plan_packet(const ClientInvocation& invocation, ClientKeys keys, const PlanInputs& inputs);

// A uniformly random port in 10000..65534, the range fwknop's -r uses, from the OS random source. fwknop takes
// it from the packet's own random value, which leaks five of its digits (docs/compat.md).
Result<std::uint16_t> random_spa_port();

// The username fwknop would send: SPOOF_USER, LOGNAME, the effective user, USER, else "NO_USER".
std::string default_username();

}  // namespace sesame::client
