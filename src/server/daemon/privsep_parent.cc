// SPDX-License-Identifier: GPL-2.0-or-later
// PrivilegedParent: fork, the grant loop, and the child's life cycle.
#include "server/daemon/privsep_parent.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "server/daemon/grant_check.h"
#include "server/daemon/grant_message.h"
#include "server/persistent_replay_store.h"
#include "server/replay_cache.h"

namespace sesame::server::daemon {
namespace {

constexpr int kMaxMessagesPerWakeup = 4096;  // as the packet side's largest burst: one firewall change for it
constexpr int kStopWaitMs = 5000;            // for the child's last burst after SIGTERM, then SIGKILL

std::int64_t now_seconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + ::strsignal(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

}  // namespace

PrivilegedParent::PrivilegedParent(EventReporter& reporter, std::unique_ptr<Policy> policy, PolicyLoader reload,
                                   firewall::FirewallBackend* firewall, CommandDispatcher& commands, SignalFd& signals,
                                   PacketSideMain packet_side, std::string capture_name)
    : reporter_(&reporter),
      policy_(std::move(policy)),
      reload_(std::move(reload)),
      firewall_(firewall),
      commands_(&commands),
      signals_(&signals),
      packet_side_(std::move(packet_side)),
      capture_name_(std::move(capture_name)),
      buffer_(kMaxGrantMessageBytes + 1) {}

PrivilegedParent::~PrivilegedParent() {
  if (child_ > 0) {
    ::kill(child_, SIGKILL);
    ::waitpid(child_, nullptr, 0);
  }
}

Result<Ok, std::string> PrivilegedParent::start_child() {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    return fail(std::string("socketpair: ") + std::strerror(errno));
  UniqueFd parent_end(pair[0]);
  UniqueFd child_end(pair[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    parent_end.reset();
    // The start-up pipe (no -f) is the parent's to answer; the waiting process reads it to its end, so the child
    // must not hold a copy of it.
    if (startup_ != nullptr) *startup_ = StartupReport();
    // Until enter_packet_side sets it again after the uid change (which clears it).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) std::_Exit(1);
    ::unsetenv("NOTIFY_SOCKET");  // systemd hears from the main pid only
    std::_Exit(packet_side_(std::move(child_end), std::move(policy_)));
  }
  child_ = pid;
  channel_ = std::move(parent_end);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = channel_.get();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, channel_.get(), &event) != 0)
    return fail(std::string("epoll_ctl: ") + std::strerror(errno));
  return Ok{};
}

int PrivilegedParent::run(StartupReport& startup) {
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.is_valid()) {
    startup.failed(std::string("epoll_create1: ") + std::strerror(errno));
    return 1;
  }
  for (const int fd : {signals_->fd(), commands_->fd()}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      startup.failed(std::string("epoll_ctl: ") + std::strerror(errno));
      return 1;
    }
  }
  startup_ = &startup;
  if (auto started = start_child(); !started) {
    startup.failed(started.error());
    return 1;
  }
  next_housekeeping_s_ = now_seconds() + 1;
  std::array<epoll_event, 8> events;
  while (!stopping_) {
    std::int64_t now_s = now_seconds();
    std::int64_t wake_s = next_housekeeping_s_;
    if (const auto due = commands_->next_due_s()) wake_s = std::min(wake_s, *due);
    const int timeout_ms = wake_s <= now_s ? 0 : static_cast<int>((wake_s - now_s) * 1000);
    const int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      reporter_->logger().message(LogLevel::kError, std::string("epoll_wait: ") + std::strerror(errno));
      exit_status_ = 1;
      break;
    }
    now_s = now_seconds();
    for (int i = 0; i < std::max(ready, 0) && !stopping_; ++i) {
      const int fd = events[i].data.fd;
      if (fd == signals_->fd()) {
        while (const auto signal = signals_->next()) handle_signal(*signal);
      } else if (fd == commands_->fd()) {
        commands_->tick(now_s);
      } else if (channel_.is_valid() && fd == channel_.get()) {
        const bool is_open = drain_channel(now_s);
        commit(now_s);
        if (!is_open) reap_child(false);
      }
    }
    if (now_s >= next_housekeeping_s_) housekeeping(now_s);
  }
  if (child_ > 0) stop_child();
  sd_notify(0, "STOPPING=1");
  commands_->close_all_cycles();
  if (refused_ > 0)
    reporter_->logger().message(LogLevel::kWarning,
                                "Refused " + std::to_string(refused_) + " request(s) of the packet side in all");
  return exit_status_;
}

bool PrivilegedParent::drain_channel(std::int64_t now_s) {
  for (int i = 0; i < kMaxMessagesPerWakeup; ++i) {
    const ssize_t got = ::recv(channel_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT | MSG_TRUNC);
    if (got == 0) return false;
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      reporter_->logger().message(LogLevel::kError, std::string("grant channel: ") + std::strerror(errno));
      return false;
    }
    // MSG_TRUNC reports the real size: a message past the bound is refused whole, never read in part.
    const std::size_t size = std::min(static_cast<std::size_t>(got), buffer_.size());
    handle_message(std::span(buffer_).first(size), now_s, startup_);
  }
  return true;
}

void PrivilegedParent::handle_message(std::span<const std::uint8_t> bytes, std::int64_t now_s, StartupReport* startup) {
  Logger& logger = reporter_->logger();
  auto message = decode_grant_message(bytes);
  if (!message) {
    ++refused_;
    logger.message(LogLevel::kError, "Refused a malformed message from the packet side (pid " + std::to_string(child_) +
                                         "): " + message.error());
    return;
  }
  if (message->kind == GrantMessageKind::kReady) {
    if (startup != nullptr) {
      reporter_->ready(capture_name_, firewall_ == nullptr, firewall_ ? firewall_->name() : "none");
      startup->ready();
      startup_ = nullptr;
    }
    sd_notify(0, "READY=1\nSTATUS=Waiting for SPA packets");
    return;
  }
  const AccessRequest& request = message->request;
  if (auto checked = check_grant(request, policy_->access, pipeline_settings(policy_->server), now_s); !checked) {
    ++refused_;
    logger.message(LogLevel::kError, "Refused a request of the packet side (pid " + std::to_string(child_) +
                                         ") out of policy: " + checked.error() + " (stanza " +
                                         std::to_string(request.stanza_index + 1) + ", allow IP " +
                                         request.allow_ip.to_string() + ")");
    return;
  }
  pending_.push_back(message->request);
}

// As Daemon::commit_burst after the replay log: commands and cycles by the dispatcher, one firewall change for the
// rest of the wake-up's requests.
void PrivilegedParent::commit(std::int64_t now_s) {
  if (pending_.empty()) return;
  std::vector<firewall::GrantRequest> grants;
  const bool test_mode = firewall_ == nullptr;
  for (const AccessRequest& request : pending_) {
    const config::AccessStanza& stanza = policy_->access.stanzas[request.stanza_index];
    if (request.command) {
      commands_->run_command_message(request, stanza, test_mode);
    } else if (stanza.cmd_cycle_open) {
      commands_->run_cycle(request, stanza, test_mode, now_s);
    } else if (test_mode) {
      reporter_->grant(request, "none", true, now_s);
    } else {
      grants.push_back(firewall::GrantRequest{&request, &stanza});
    }
  }
  if (!grants.empty()) {
    Logger& logger = reporter_->logger();
    auto opened = firewall_->open(grants, now_s);
    logger.hold();
    for (const auto& grant : grants) {
      if (opened)
        reporter_->grant(*grant.request, firewall_->name(), false, now_s);
      else
        reporter_->grant_failed(*grant.request, "firewall change failed", opened.error().message);
    }
    logger.release();
  }
  pending_.clear();
}

void PrivilegedParent::reap_child(bool expected) {
  if (child_ <= 0) return;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, channel_.get(), nullptr);
  channel_.reset();
  int status = 0;
  while (::waitpid(child_, &status, 0) < 0 && errno == EINTR) {
  }
  const pid_t pid = std::exchange(child_, -1);
  if (expected) return;
  // Ended on its own: -C or a pcap file's end exit 0; anything else (a crash, a seccomp refusal that stopped it,
  // a capture error) ends the daemon too, with an error status for the service manager to act on.
  stopping_ = true;
  const bool is_clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!is_clean) exit_status_ = 1;
  if (startup_ != nullptr)
    startup_->failed("sesamed: the packet side ended during start-up (" + describe_status(status) + ")");
  reporter_->logger().message(is_clean ? LogLevel::kInfo : LogLevel::kError, "Packet side (pid " + std::to_string(pid) +
                                                                                 ") ended: " + describe_status(status) +
                                                                                 (is_clean ? "" : "; exiting"));
}

void PrivilegedParent::stop_child() {
  ::kill(child_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStopWaitMs);
  bool is_open = true;
  while (is_open) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      reporter_->logger().message(
          LogLevel::kWarning, "Packet side (pid " + std::to_string(child_) + ") did not stop within 5 s; killing it");
      ::kill(child_, SIGKILL);
      break;
    }
    pollfd poll_fd{channel_.get(), POLLIN, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(left.count())) > 0) {
      // Its last burst is still granted: those packets are in its replay log already.
      is_open = drain_channel(now_seconds());
      commit(now_seconds());
    }
  }
  reap_child(true);
}

void PrivilegedParent::handle_signal(int signal) {
  switch (signal) {
    case SIGHUP:
      reload();
      break;
    case SIGUSR1:
      if (child_ > 0) ::kill(child_, SIGUSR1);  // the counters are the packet side's
      break;
    default:
      reporter_->logger().message(LogLevel::kInfo,
                                  std::string("Got ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") + ". Exiting...");
      stopping_ = true;
  }
}

// The child cannot read the config files (they are root's), so the parent reads them and starts a new child over
// the new policy; the capture sockets stay open in the parent, so no packet is lost meanwhile, only delayed.
void PrivilegedParent::reload() {
  Logger& logger = reporter_->logger();
  logger.message(LogLevel::kInfo, "Got SIGHUP. Re-reading configs.");
  sd_notify(0, "RELOADING=1");
  auto loaded = reload_();
  if (!loaded) {
    for (const auto& error : loaded.error()) logger.message(LogLevel::kError, error);
    logger.message(LogLevel::kError, "Reload failed: keeping the previous configuration.");
    sd_notify(0, "READY=1");
    return;
  }
  {
    // Keys are checked here, before the working child is stopped; the child builds its own pipeline.
    ReplayCache scratch_cache(1);
    PersistentReplayStore scratch(scratch_cache, nullptr);
    auto built = build_pipeline(**loaded, scratch);
    (*loaded)->pipeline.reset();  // it refers to the scratch store
    if (!built) {
      logger.message(LogLevel::kError, built.error());
      logger.message(LogLevel::kError, "Reload failed: keeping the previous configuration.");
      sd_notify(0, "READY=1");
      return;
    }
  }
  if (child_ > 0) stop_child();
  policy_ = std::move(*loaded);
  if (auto started = start_child(); !started) {
    logger.message(LogLevel::kError, "Cannot restart the packet side: " + started.error());
    exit_status_ = 1;
    stopping_ = true;
    return;
  }
  logger.message(LogLevel::kInfo, "Configuration reloaded: " + std::to_string(policy_->access.stanzas.size()) +
                                      " access stanza(s); packet side restarted (pid " + std::to_string(child_) + ").");
}

void PrivilegedParent::housekeeping(std::int64_t now_s) {
  next_housekeeping_s_ = now_s + 1;
  commands_->tick(now_s);
  if (firewall_ == nullptr) return;
  if (auto expired = firewall_->expire(now_s); expired) {
    for (const auto& grant : *expired) reporter_->expire(grant.source, grant.protocol, grant.port);
  } else {
    reporter_->logger().message(LogLevel::kError, expired.error().message);
  }
}

}  // namespace sesame::server::daemon
