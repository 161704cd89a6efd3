// SPDX-License-Identifier: GPL-2.0-or-later
// Daemon::run and the per-burst commit.
#include "server/daemon/daemon.h"

#include <sys/epoll.h>
#include <systemd/sd-daemon.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>

#include "server/capture/http_spa_request.h"
#include "server/daemon/metrics.h"

namespace sesame::server::daemon {
namespace {

// Receive rounds per wake-up and source: bounded, so that signals and timers still get a turn under a flood. With
// 64 datagrams per recvmmsg a UDP burst commits up to 4096 grants at once: the replay log's fdatasync and the
// nftables transaction are paid once for all of them, and a knock waits at most one such burst (~0.1 s).
constexpr int kMaxRoundsPerWakeup = 64;
constexpr std::int64_t kSummaryIntervalS = 10;
constexpr int kPcapBatch = 64;  // frames per pcap or NFQUEUE dispatch

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The same clock as wall_clock_ms() (time() may be a coarser one a tick behind), so that a wake-up aimed at a
// second's start sees that second.
std::int64_t wall_clock_s() {
  return wall_clock_ms() / 1000;
}

}  // namespace

Daemon::Daemon(DaemonOptions options, EventReporter& reporter, std::unique_ptr<Policy> policy, PolicyLoader reload,
               PersistentReplayStore& replay, firewall::FirewallBackend* firewall, CommandDispatcher& commands,
               SignalFd signals, CaptureSources sources)
    : options_(std::move(options)),
      reporter_(&reporter),
      policy_(std::move(policy)),
      reload_(std::move(reload)),
      replay_(&replay),
      firewall_(firewall),
      commands_(&commands),
      signals_(std::move(signals)),
      sources_(std::move(sources)) {}

Result<Ok, std::string> Daemon::watch(int fd) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = fd;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0)
    return fail(std::string("epoll_ctl: ") + std::strerror(errno));
  return Ok{};
}

int Daemon::run(StartupReport& startup) {
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.is_valid()) {
    startup.failed(std::string("epoll_create1: ") + std::strerror(errno));
    return 1;
  }
  const int pcap_fd = sources_.pcap ? sources_.pcap->selectable_fd() : -1;
  for (const int fd : {signals_.fd(), sources_.udp ? sources_.udp->fd() : -1, pcap_fd,
                       sources_.tcp ? sources_.tcp->fd() : -1, sources_.nfqueue ? sources_.nfqueue->fd() : -1,
                       commands_->fd(), sources_.metrics ? sources_.metrics->fd() : -1}) {
    if (fd < 0) continue;
    if (auto watched = watch(fd); !watched) {
      startup.failed(watched.error());
      return 1;
    }
  }
  if (options_.channel != nullptr) {
    if (auto sent = options_.channel->send_ready(); !sent) {
      startup.failed(sent.error());
      return 1;
    }
  } else {
    reporter_->ready(options_.capture_name, options_.test_mode, firewall_ ? firewall_->name() : "none");
    startup.ready();
    sd_notify(0, "READY=1\nSTATUS=Waiting for SPA packets");
  }

  const std::int64_t start_s = wall_clock_s();
  next_housekeeping_s_ = start_s + 1;
  next_summary_s_ = start_s + kSummaryIntervalS;
  std::array<epoll_event, 16> events;
  while (!stopping_) {
    std::int64_t now_s = wall_clock_s();
    const int timeout_ms = wait_timeout_ms(now_s);
    const int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      reporter_->logger().message(LogLevel::kError, std::string("epoll_wait: ") + std::strerror(errno));
      exit_status_ = 1;
      break;
    }
    now_s = wall_clock_s();
    for (int i = 0; i < std::max(ready, 0); ++i) {
      const int fd = events[i].data.fd;
      if (fd == signals_.fd()) {
        while (const auto signal = signals_.next()) handle_signal(*signal);
      } else if (sources_.udp && fd == sources_.udp->fd()) {
        if (!drain_udp(now_s)) stopping_ = true;
      } else if (fd == pcap_fd) {
        if (!drain_pcap(now_s)) stopping_ = true;
      } else if (sources_.nfqueue && fd == sources_.nfqueue->fd()) {
        if (!drain_nfqueue(now_s)) stopping_ = true;
      } else if (sources_.tcp && fd == sources_.tcp->fd()) {
        drain_tcp(now_s);
      } else if (fd == commands_->fd()) {
        commands_->tick(now_s);
      } else if (sources_.metrics && fd == sources_.metrics->fd()) {
        serve_metrics(now_s);
      }
    }
    // A pcap file has no descriptor: it is read until its end, then sesamed exits as fwknopd does.
    if (sources_.pcap && pcap_fd < 0 && !stopping_) {
      if (!drain_pcap(now_s) || sources_.pcap->at_end()) stopping_ = true;
    }
    commit_burst(now_s);
    if (now_s >= next_housekeeping_s_) housekeeping(now_s);
    if (packet_limit_reached()) {
      reporter_->logger().message(
          LogLevel::kInfo, "Packet count limit (" + std::to_string(*options_.packet_limit) + ") reached. Exiting...");
      stopping_ = true;
    }
  }
  commit_burst(wall_clock_s());
  sd_notify(0, "STOPPING=1");
  commands_->close_all_cycles();
  log_counters();
  return exit_status_;
}

void Daemon::handle_signal(int signal) {
  switch (signal) {
    case SIGHUP:
      // The packet side cannot read the config files: the parent reloads them and restarts this process.
      if (options_.channel != nullptr) break;
      reload();
      break;
    case SIGUSR1:
      log_counters();
      break;
    default:
      reporter_->logger().message(LogLevel::kInfo,
                                  std::string("Got ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") + ". Exiting...");
      stopping_ = true;
  }
}

void Daemon::reload() {
  reporter_->logger().message(LogLevel::kInfo, "Got SIGHUP. Re-reading configs.");
  sd_notify(0, "RELOADING=1");
  commit_burst(wall_clock_s());  // pending requests refer to the current stanzas
  auto loaded = reload_();
  if (loaded) {
    if (auto built = build_pipeline(**loaded, *replay_); built) {
      policy_ = std::move(*loaded);
      reporter_->logger().message(
          LogLevel::kInfo,
          "Configuration reloaded: " + std::to_string(policy_->access.stanzas.size()) + " access stanza(s).");
    } else {
      reporter_->logger().message(LogLevel::kError, built.error());
      reporter_->logger().message(LogLevel::kError, "Reload failed: keeping the previous configuration.");
    }
  } else {
    for (const auto& error : loaded.error()) reporter_->logger().message(LogLevel::kError, error);
    reporter_->logger().message(LogLevel::kError, "Reload failed: keeping the previous configuration.");
  }
  sd_notify(0, "READY=1");
}

bool Daemon::drain_udp(std::int64_t now_s) {
  for (int round = 0; round < kMaxRoundsPerWakeup && !packet_limit_reached(); ++round) {
    auto batch = sources_.udp->receive(now_s);
    if (!batch) {
      reporter_->logger().message(LogLevel::kError, batch.error());
      exit_status_ = 1;
      return false;
    }
    if (batch->empty()) break;
    for (const CapturedPacket& packet : *batch) {
      handle_packet(packet, now_s);
      if (packet_limit_reached()) break;
    }
  }
  return true;
}

bool Daemon::drain_pcap(std::int64_t now_s) {
  for (int round = 0; round < kMaxRoundsPerWakeup && !packet_limit_reached(); ++round) {
    auto read = sources_.pcap->dispatch(kPcapBatch, [&](const CapturedPacket& packet) {
      if (!packet_limit_reached()) handle_packet(packet, now_s);
    });
    if (!read) {
      const bool fatal =
          read.error().kind != capture::PcapError::Kind::kInterfaceDown || policy_->server.exit_at_intf_down;
      reporter_->logger().message(fatal ? LogLevel::kError : LogLevel::kWarning, read.error().message);
      if (fatal) exit_status_ = 1;
      return !fatal;
    }
    if (*read == 0) break;
  }
  return true;
}

bool Daemon::drain_nfqueue(std::int64_t now_s) {
  for (int round = 0; round < kMaxRoundsPerWakeup && !packet_limit_reached(); ++round) {
    auto read = sources_.nfqueue->dispatch(kPcapBatch, [&](const CapturedPacket& packet) {
      if (!packet_limit_reached()) handle_packet(packet, now_s);
    });
    if (!read) {
      reporter_->logger().message(LogLevel::kError, read.error());
      exit_status_ = 1;
      return false;
    }
    if (*read == 0) break;
  }
  return true;
}

void Daemon::drain_tcp(std::int64_t now_s) {
  sources_.tcp->poll(now_s, [&](const CapturedPacket& packet, std::string_view) {
    if (!packet_limit_reached()) handle_packet(packet, now_s);
  });
}

int Daemon::wait_timeout_ms(std::int64_t now_s) const {
  std::int64_t wake_s = next_housekeeping_s_;
  if (const auto due = commands_->next_due_s()) wake_s = std::min(wake_s, *due);
  for (const auto* server :
       {sources_.tcp ? &*sources_.tcp : nullptr, sources_.metrics ? &*sources_.metrics : nullptr}) {
    if (server == nullptr) continue;
    if (const auto deadline = server->next_deadline_s()) wake_s = std::min(wake_s, *deadline);
  }
  // Aimed at the start of second wake_s, not a whole second from now: expiry then runs within a few milliseconds
  // of the second it is due in, not up to a second later.
  std::int64_t timeout_ms = wake_s <= now_s ? 0 : std::max<std::int64_t>(0, wake_s * 1000 - wall_clock_ms());
  if (sources_.pcap) {
    if (sources_.pcap->selectable_fd() < 0) return 0;
    if (const auto required = sources_.pcap->required_timeout())
      timeout_ms = std::min<std::int64_t>(timeout_ms, required->count());
  }
  return static_cast<int>(timeout_ms);
}

void Daemon::handle_packet(const CapturedPacket& packet, std::int64_t now_s) {
  ++packets_seen_;
  // Timed only when a metrics endpoint can report it: two clock reads a packet are not free at a flood's rate.
  const bool is_timed = sources_.metrics.has_value();
  const auto start = is_timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  if (policy_->server.enable_spa_over_http && capture::looks_like_http_request(packet.payload)) {
    handle_http(packet, now_s);
  } else {
    run_pipeline(packet, std::nullopt, now_s);
  }
  if (is_timed) decision_latency_.observe(std::chrono::steady_clock::now() - start);
}

void Daemon::handle_http(const CapturedPacket& packet, std::int64_t now_s) {
  capture::HttpSpaOptions options;
  options.allow_any_user_agent = policy_->server.allow_any_user_agent;
  options.use_x_forwarded_for = policy_->server.enable_x_forwarded_for;
  auto request = capture::parse_http_spa_request(packet.payload, options);
  if (!request) {
    const DropReason reason = request.error() == capture::HttpReject::kTooShort  ? DropReason::kTooShort
                              : request.error() == capture::HttpReject::kTooLong ? DropReason::kTooLong
                                                                                 : DropReason::kNotSpaData;
    return reporter_->reject(reason, std::nullopt, packet, now_s);
  }
  CapturedPacket unwrapped = packet;
  unwrapped.payload = request->payload;
  run_pipeline(unwrapped, request->forwarded_for, now_s);
}

void Daemon::run_pipeline(const CapturedPacket& packet, const std::optional<config::IpAddress>& forwarded_for,
                          std::int64_t now_s) {
  if (replay_->is_fwknop_replay(packet.payload, now_s)) {
    ++fwknop_replays_;
    return reporter_->reject(DropReason::kReplay, std::nullopt, packet, now_s);
  }
  Verdict verdict = policy_->pipeline->handle(packet);
  if (!verdict.request) return reporter_->reject(verdict.reason, verdict.stanza, packet, now_s);
  ++accepted_;
  AccessRequest& request = *verdict.request;
  // server.md §4 step 10: an SPA allow IP of 0.0.0.0 over HTTP means the client behind the proxy.
  if (request.is_source_allow_ip && forwarded_for) request.allow_ip = *forwarded_for;
  pending_.push_back(Pending{std::move(request)});
}

void Daemon::commit_burst(std::int64_t now_s) {
  if (ReplayLog* log = replay_->log(); log != nullptr && log->pending_records() > 0) {
    if (auto flushed = log->flush(); !flushed) {
      // The records stay buffered and the next burst's flush() writes them again, so once there is space the
      // log catches up. The packets themselves are in the in-memory cache: a resend now is a replay either way.
      // A wake-up with nothing to grant retries quietly: one line per refused or unlogged burst, not per second.
      if (pending_.empty()) return;
      Logger& logger = reporter_->logger();
      if (policy_->server.replay_log_failure == config::ReplayLogFailure::kOpen) {
        // REPLAY_LOG_FAILURE open: the operator chose availability; these packets could be replayed after a crash.
        logger.message(LogLevel::kWarning, "Replay log write failed: " + flushed.error().message +
                                               "; granting anyway (REPLAY_LOG_FAILURE open): after a restart a "
                                               "replay of these packets would not be recognised");
      } else {
        // Fail closed: a grant whose packet is not on disk could be replayed after a crash.
        logger.hold();
        logger.message(LogLevel::kError, "Replay log write failed: " + flushed.error().message + "; refusing " +
                                             std::to_string(pending_.size()) +
                                             " request(s) of this burst (REPLAY_LOG_FAILURE closed)");
        for (const Pending& pending : pending_)
          reporter_->grant_failed(pending.request, "replay log write failed", flushed.error().message);
        grants_failed_ += pending_.size();
        logger.release();
        pending_.clear();
        return;
      }
    }
  }
  if (pending_.empty()) return;
  if (options_.channel != nullptr) return send_burst();
  std::vector<firewall::GrantRequest> grants;
  grants.reserve(pending_.size());
  for (const Pending& pending : pending_) {
    const AccessRequest& request = pending.request;
    const config::AccessStanza& stanza = policy_->access.stanzas[request.stanza_index];
    if (request.command) {
      commands_->run_command_message(request, stanza, options_.test_mode);
      continue;
    }
    if (stanza.cmd_cycle_open) {  // a cycle replaces the firewall change (server.md §4 step 13)
      commands_->run_cycle(request, stanza, options_.test_mode, now_s);
      continue;
    }
    if (options_.test_mode) {
      reporter_->grant(request, "none", true, now_s);
      ++grants_;
      continue;
    }
    grants.push_back(firewall::GrantRequest{&request, &stanza});
  }
  if (!grants.empty() && firewall_ != nullptr) {
    // Logged only after the firewall has taken the whole transaction (or reported it failed), one write per burst.
    Logger& logger = reporter_->logger();
    const auto start = std::chrono::steady_clock::now();
    auto opened = firewall_->open(grants, now_s);
    firewall_latency_.observe(std::chrono::steady_clock::now() - start);
    if (opened) {
      logger.hold();
      for (const auto& grant : grants) reporter_->grant(*grant.request, firewall_->name(), false, now_s);
      logger.release();
      grants_ += grants.size();
      for (const auto& grant : grants) rules_opened_ += std::max<std::size_t>(grant.request->ports.size(), 1);
    } else {
      logger.hold();
      for (const auto& grant : grants)
        reporter_->grant_failed(*grant.request, "firewall change failed", opened.error().message);
      grants_failed_ += grants.size();
      logger.release();
    }
  }
  pending_.clear();
}

void Daemon::send_burst() {
  for (const Pending& pending : pending_) {
    if (auto sent = options_.channel->send(pending.request); !sent) {
      reporter_->logger().message(LogLevel::kError, sent.error());
      exit_status_ = 1;
      stopping_ = true;
      break;
    }
    ++grants_;  // handed to the parent, which logs the grant or its refusal
  }
  pending_.clear();
}

void Daemon::housekeeping(std::int64_t now_s) {
  next_housekeeping_s_ = now_s + 1;
  commands_->tick(now_s);
  ReplayCache& cache = replay_->cache();
  cache.sweep(now_s);
  if (ReplayLog* log = replay_->log(); log != nullptr && options_.channel == nullptr && log->should_compact(cache)) {
    if (auto compacted = log->compact(cache, now_s); !compacted)
      reporter_->logger().message(LogLevel::kError, compacted.error().message);
  }
  if (firewall_ != nullptr) {
    if (auto expired = firewall_->expire(now_s); expired) {
      for (const auto& grant : *expired) reporter_->expire(grant.source, grant.protocol, grant.port);
      rules_expired_ += expired->size();
    } else {
      reporter_->logger().message(LogLevel::kError, expired.error().message);
    }
  }
  if (now_s >= next_summary_s_) {
    next_summary_s_ = now_s + kSummaryIntervalS;
    reporter_->summarize_suppressed();
  }
}

void Daemon::serve_metrics(std::int64_t now_s) {
  MetricsSnapshot snapshot;
  snapshot.packets = packets_seen_;
  snapshot.accepted = accepted_;
  snapshot.grants = grants_;
  snapshot.grants_failed = grants_failed_;
  snapshot.grants_active = rules_opened_ > rules_expired_ ? rules_opened_ - rules_expired_ : 0;
  snapshot.fwknop_replays = fwknop_replays_;
  snapshot.shared_replay_unavailable = replay_->shared_unavailable();
  snapshot.replay_cache_entries = replay_->cache().size();
  snapshot.drops = &policy_->pipeline->drops();
  snapshot.decision = &decision_latency_;
  snapshot.firewall_change = &firewall_latency_;
  sources_.metrics->poll_and_answer(
      now_s, [&](const CapturedPacket&, std::string_view request) { return metrics_http_reply(request, snapshot); });
}

void Daemon::log_counters() {
  LogFields fields;
  fields["packets"] = packets_seen_;
  fields["grants"] = grants_;
  const DropCounters& drops = policy_->pipeline->drops();
  LogFields rejected = LogFields::object();
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    const auto reason = static_cast<DropReason>(i);
    if (drops[reason] > 0) rejected[std::string(drop_reason_name(reason))] = drops[reason];
  }
  if (fwknop_replays_ > 0) rejected["fwknop_replay"] = fwknop_replays_;
  // REPLAY_CACHE_URL did not answer: with REPLAY_CACHE_FAILURE closed these are also under "replay_store_down".
  if (replay_->shared_unavailable() > 0) fields["shared_replay_unavailable"] = replay_->shared_unavailable();
  fields["rejected"] = rejected;
  fields["replay_cache_entries"] = replay_->cache().size();
  reporter_->logger().event(LogLevel::kInfo, "counters", fields,
                            "Packets: " + std::to_string(packets_seen_) + ", grants: " + std::to_string(grants_) +
                                ", rejected: " + rejected.dump());
}

}  // namespace sesame::server::daemon
