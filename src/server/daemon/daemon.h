// SPDX-License-Identifier: GPL-2.0-or-later
// Daemon: sesamed's main loop. One thread, one epoll set: capture sockets, the signalfd, and a timeout that is the
// next housekeeping tick. Each wake-up drains the ready sources in bounded rounds, runs every packet through the
// pipeline, then commits the burst: replay log flushed first, then all grants of the burst in one firewall change.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "server/daemon/background.h"
#include "server/daemon/capture_setup.h"
#include "server/daemon/command_dispatcher.h"
#include "server/daemon/event_reporter.h"
#include "server/daemon/grant_channel.h"
#include "server/daemon/metrics.h"
#include "server/daemon/policy.h"
#include "server/daemon/signal_fd.h"
#include "server/firewall/firewall_backend.h"
#include "server/persistent_replay_store.h"

namespace sesame::server::daemon {

struct DaemonOptions {
  bool test_mode = false;                     // -t: nothing is changed, every would-be grant is logged
  std::optional<std::uint64_t> packet_limit;  // -C
  std::string capture_name = "udp";           // for the ready event
  // PRIVILEGE_SEPARATION's packet side: accepted requests go to the privileged parent instead of a firewall, which
  // also reports readiness; the replay log is compacted only at the child's start (it cannot create files).
  GrantChannel* channel = nullptr;
};

class Daemon {
 public:
  // `firewall` is null only in test mode.
  Daemon(DaemonOptions options, EventReporter& reporter, std::unique_ptr<Policy> policy, PolicyLoader reload,
         PersistentReplayStore& replay, firewall::FirewallBackend* firewall, CommandDispatcher& commands,
         SignalFd signals, CaptureSources sources);

  // Runs until SIGTERM/SIGINT, the packet limit, or a fatal capture error; returns the exit status.
  int run(StartupReport& startup);

  std::uint64_t packets_seen() const { return packets_seen_; }
  std::uint64_t grants() const { return grants_; }

 private:
  struct Pending {
    AccessRequest request;
  };

  Result<Ok, std::string> watch(int fd);
  void handle_signal(int signal);
  void reload();
  bool drain_udp(std::int64_t now_s);
  bool drain_pcap(std::int64_t now_s);
  bool drain_nfqueue(std::int64_t now_s);
  void drain_tcp(std::int64_t now_s);
  void handle_packet(const CapturedPacket& packet, std::int64_t now_s);
  // SPA over HTTP: unwraps a GET request into its payload (and X-Forwarded-For) before the pipeline sees it.
  void handle_http(const CapturedPacket& packet, std::int64_t now_s);
  // The fwknopd digest check and the pipeline; an accepted request waits for the burst's commit.
  void run_pipeline(const CapturedPacket& packet, const std::optional<config::IpAddress>& forwarded_for,
                    std::int64_t now_s);
  int wait_timeout_ms(std::int64_t now_s) const;
  void commit_burst(std::int64_t now_s);
  void send_burst();  // PRIVILEGE_SEPARATION: the burst's requests to the parent
  void housekeeping(std::int64_t now_s);
  void log_counters();
  // METRICS_PORT: answers the scrapes that are ready, from the counters as they are now.
  void serve_metrics(std::int64_t now_s);
  bool packet_limit_reached() const { return options_.packet_limit && packets_seen_ >= *options_.packet_limit; }

  DaemonOptions options_;
  EventReporter* reporter_;
  std::unique_ptr<Policy> policy_;
  PolicyLoader reload_;
  PersistentReplayStore* replay_;
  firewall::FirewallBackend* firewall_;
  CommandDispatcher* commands_;
  SignalFd signals_;
  CaptureSources sources_;
  UniqueFd epoll_;
  std::vector<Pending> pending_;
  bool stopping_ = false;
  int exit_status_ = 0;
  std::uint64_t packets_seen_ = 0;
  std::uint64_t grants_ = 0;
  std::uint64_t fwknop_replays_ = 0;
  std::uint64_t accepted_ = 0;       // through the pipeline, before the firewall
  std::uint64_t grants_failed_ = 0;  // refused by the firewall or the replay log
  std::uint64_t rules_opened_ = 0;   // (address, protocol, port) grants the firewall took ...
  std::uint64_t rules_expired_ = 0;  // ... and those it reported expired: the difference is open now
  LatencyHistogram decision_latency_;
  LatencyHistogram firewall_latency_;
  std::int64_t next_housekeeping_s_ = 0;
  std::int64_t next_summary_s_ = 0;
};

}  // namespace sesame::server::daemon
