// SPDX-License-Identifier: GPL-2.0-or-later
// detach(): fork, setsid, a pipe back to the parent.
#include "server/daemon/background.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sesame::server::daemon {

void StartupReport::ready() {
  if (!fd_.is_valid()) return;
  [[maybe_unused]] const ssize_t n = ::write(fd_.get(), "R", 1);
  fd_.reset();
}

void StartupReport::failed(const std::string& message) {
  if (!fd_.is_valid()) return;
  const std::string text = "E" + message;
  [[maybe_unused]] const ssize_t n = ::write(fd_.get(), text.data(), text.size());
  fd_.reset();
}

Result<Detached, std::string> detach() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return fail(std::string("fork: ") + std::strerror(errno));
  Detached result;
  if (pid > 0) {
    write_end.reset();
    std::string report;
    char buffer[512];
    for (;;) {
      const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      report.append(buffer, static_cast<std::size_t>(n));
    }
    result.is_parent = true;
    if (report == "R") {
      result.parent_exit_status = 0;
    } else {
      const std::string message = report.empty() ? "sesamed: the daemon exited during start-up" : report.substr(1);
      std::fprintf(stderr, "%s\n", message.c_str());
      result.parent_exit_status = 1;
    }
    return result;
  }
  read_end.reset();
  ::setsid();
  [[maybe_unused]] const int ignored = ::chdir("/");
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 2) ::close(null);
  }
  result.report = StartupReport(std::move(write_end));
  return result;
}

}  // namespace sesame::server::daemon
