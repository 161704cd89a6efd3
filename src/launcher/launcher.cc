// SPDX-License-Identifier: GPL-2.0-or-later
// Launcher: the watch loop.
#include "launcher/launcher.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

namespace sesame::launcher {
namespace {

sigset_t launcher_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGCHLD);
  return set;
}

long long milliseconds(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

void block_launcher_signals() {
  const sigset_t set = launcher_signals();
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

Launcher::Launcher(WatchList watch_list, SynSentMonitor monitor, KnockRunner& runner,
                   std::chrono::milliseconds interval, std::ostream& log)
    : watch_list_(std::move(watch_list)),
      monitor_(std::move(monitor)),
      runner_(runner),
      interval_(interval),
      log_(log) {}

int Launcher::run() {
  const sigset_t set = launcher_signals();
  const UniqueFd signals(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  const UniqueFd timer(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!signals.is_valid() || !timer.is_valid()) {
    log_ << "sesame-launcher: signalfd/timerfd: " << std::strerror(errno) << std::endl;
    return 1;
  }
  itimerspec period{};
  period.it_interval.tv_sec = interval_.count() / 1000;
  period.it_interval.tv_nsec = (interval_.count() % 1000) * 1000000;
  period.it_value.tv_nsec = 1;  // the first look at once: attempts already under way count too
  ::timerfd_settime(timer.get(), 0, &period, nullptr);

  bool is_stopping = false;
  while (!is_stopping) {
    pollfd fds[2] = {{signals.get(), POLLIN, 0}, {timer.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log_ << "sesame-launcher: poll: " << std::strerror(errno) << std::endl;
      return 1;
    }
    bool is_child_done = false;
    signalfd_siginfo info;
    while (::read(signals.get(), &info, sizeof info) == sizeof info) {
      if (info.ssi_signo == SIGCHLD) is_child_done = true;
      if (info.ssi_signo == SIGINT || info.ssi_signo == SIGTERM) is_stopping = true;
    }
    std::uint64_t expirations = 0;
    if (::read(timer.get(), &expirations, sizeof expirations) == sizeof expirations && !is_stopping) {
      scan();
      is_child_done = true;  // also: kill knocks past their timeout
    }
    if (is_child_done) report(runner_.reap(Clock::now()));
  }
  report(runner_.finish(std::chrono::seconds(2)));
  log_ << "sesame-launcher: stopped" << std::endl;
  return 0;
}

void Launcher::scan() {
  // No connect() since the last look: no new attempt can be in SYN_SENT, and the dump's hash-table walk is skipped.
  if (!active_opens_.changed()) return;
  auto snapshot = monitor_.snapshot();
  if (!snapshot) {
    active_opens_.forget();
    // Once per failing streak, not once per tick.
    if (!is_failing_) log_ << "sesame-launcher: " << snapshot.error() << " (retrying)" << std::endl;
    is_failing_ = true;
    return;
  }
  if (is_failing_) log_ << "sesame-launcher: sock_diag works again" << std::endl;
  is_failing_ = false;
  watched_.clear();
  for (const auto& socket : *snapshot)
    if (watch_list_.find(socket.destination) != nullptr) watched_.push_back(socket);
  for (const auto& attempt : tracker_.update(watched_)) {
    const WatchEntry* entry = watch_list_.find(attempt.destination);
    // A browser opens several connections at once: while the stanza's knock runs, one more knock would only
    // make the server open the same ports again, so the attempt joins the running one.
    if (Knock* knock = runner_.running(entry->stanza)) {
      ++knock->joined;
      continue;
    }
    const auto started = runner_.start(entry->stanza, attempt.destination);
    if (!started)
      log_ << "knock [" << entry->stanza << "] " << to_string(attempt.destination)
           << ": cannot run the client: " << started.error() << std::endl;
  }
}

void Launcher::report(const std::vector<FinishedKnock>& finished) {
  for (const auto& done : finished) {
    log_ << "knock [" << done.knock.stanza << "] " << to_string(done.knock.destination) << ": " << describe(done)
         << " (" << milliseconds(done.took) << " ms";
    if (done.knock.joined > 0) log_ << ", also for " << done.knock.joined << " more attempt(s)";
    log_ << ")" << std::endl;
  }
}

}  // namespace sesame::launcher
