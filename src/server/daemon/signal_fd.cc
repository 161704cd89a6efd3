// SPDX-License-Identifier: GPL-2.0-or-later
// SignalFd: block, then read.
#include "server/daemon/signal_fd.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace sesame::server::daemon {

Result<SignalFd, std::string> SignalFd::open() {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, signal);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return fail(std::string("sigprocmask: ") + std::strerror(errno));
  std::signal(SIGPIPE, SIG_IGN);
  UniqueFd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd.is_valid()) return fail(std::string("signalfd: ") + std::strerror(errno));
  return SignalFd(std::move(fd));
}

std::optional<int> SignalFd::next() {
  signalfd_siginfo info;
  const ssize_t n = ::read(fd_.get(), &info, sizeof info);
  if (n != static_cast<ssize_t>(sizeof info)) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace sesame::server::daemon
