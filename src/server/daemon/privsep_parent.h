// SPDX-License-Identifier: GPL-2.0-or-later
// PrivilegedParent: sesamed's privileged half under PRIVILEGE_SEPARATION. It forks the packet side (capture,
// parsing, crypto, replay protection: an unprivileged, seccomp-filtered child, see sandbox.h), then only reads
// GrantMessages from it, re-checks each against its own copy of the policy (grant_check.h) and applies those that
// pass: the firewall, command messages, CMD_CYCLE. It also owns what needs privileges over time: expiry, signals
// (SIGHUP reloads the config and restarts the child with it; SIGTERM/SIGINT stop the child, then the parent) and
// sd_notify. The child ending on its own ends the daemon: status 0 when it finished cleanly (-C, the end of a pcap
// file), 1 otherwise, so that systemd's Restart= starts both again.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "server/daemon/background.h"
#include "server/daemon/command_dispatcher.h"
#include "server/daemon/event_reporter.h"
#include "server/daemon/policy.h"
#include "server/daemon/signal_fd.h"
#include "server/firewall/firewall_backend.h"

namespace sesame::server::daemon {

// Runs in the forked child with the child's end of the channel and the policy to enforce; returns the child's exit
// status. It must not return into the parent's code: the caller _Exit()s with its result.
using PacketSideMain = std::function<int(UniqueFd channel, std::unique_ptr<Policy> policy)>;

class PrivilegedParent {
 public:
  // `firewall` is null in test mode (-t): accepted requests are then only logged, as the single process does.
  PrivilegedParent(EventReporter& reporter, std::unique_ptr<Policy> policy, PolicyLoader reload,
                   firewall::FirewallBackend* firewall, CommandDispatcher& commands, SignalFd& signals,
                   PacketSideMain packet_side, std::string capture_name);
  ~PrivilegedParent();  // a child still running is killed and reaped
  PrivilegedParent(const PrivilegedParent&) = delete;
  PrivilegedParent& operator=(const PrivilegedParent&) = delete;

  // Until SIGTERM/SIGINT or the child's end; returns the exit status.
  int run(StartupReport& startup);

 private:
  Result<Ok, std::string> start_child();
  // SIGTERM, then the child's last messages until it closes the channel (SIGKILL after a few seconds), then reaped.
  void stop_child();
  // Reads what is queued; false when the child closed its end.
  bool drain_channel(std::int64_t now_s);
  void handle_message(std::span<const std::uint8_t> bytes, std::int64_t now_s, StartupReport* startup);
  void commit(std::int64_t now_s);
  void reap_child(bool expected);
  void handle_signal(int signal);
  void reload();
  void housekeeping(std::int64_t now_s);

  EventReporter* reporter_;
  std::unique_ptr<Policy> policy_;
  PolicyLoader reload_;
  firewall::FirewallBackend* firewall_;
  CommandDispatcher* commands_;
  SignalFd* signals_;
  PacketSideMain packet_side_;
  std::string capture_name_;
  pid_t child_ = -1;
  UniqueFd channel_;
  UniqueFd epoll_;
  StartupReport* startup_ = nullptr;  // until the first child reports ready
  std::vector<AccessRequest> pending_;
  std::vector<std::uint8_t> buffer_;
  bool stopping_ = false;
  int exit_status_ = 0;
  std::uint64_t refused_ = 0;
  std::int64_t next_housekeeping_s_ = 0;
};

}  // namespace sesame::server::daemon
