// SPDX-License-Identifier: GPL-2.0-or-later
// Tests that change a firewall or interfaces run in a forked child inside network namespaces of its own, so the
// host's are never touched; the child reports through a pipe and the parent turns that into gtest results.
#pragma once

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "common/unique_fd.h"

namespace sesame::test {

// The child's findings, one line each through a pipe: "FAIL ..." fails the test, "INFO ..." is printed.
class Checker {
 public:
  explicit Checker(int fd) : fd_(fd) {}
  void expect(bool condition, const std::string& what) {
    if (condition) return;
    failed_ = true;
    send("FAIL " + what);
  }
  void info(const std::string& text) { send("INFO " + text); }
  bool failed() const { return failed_; }

 private:
  void send(std::string line) {
    line += '\n';
    for (std::size_t at = 0; at < line.size();) {
      const ssize_t n = ::write(fd_, line.data() + at, line.size() - at);
      if (n <= 0) return;
      at += static_cast<std::size_t>(n);
    }
  }
  int fd_;
  bool failed_ = false;
};

inline bool bring_loopback_up() {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(fd.get(), SIOCGIFFLAGS, &request) != 0) return false;
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  return ::ioctl(fd.get(), SIOCSIFFLAGS, &request) == 0;
}

// Runs `scenario` in a forked child inside a fresh network namespace and turns its report into gtest results.
inline void run_in_private_netns(const std::function<void(Checker&)>& scenario) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    Checker check(fds[1]);
    if (::unshare(CLONE_NEWNET) != 0) {
      check.expect(false, std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
      ::_exit(2);
    }
    check.expect(bring_loopback_up(), "bringing lo up");
    try {
      scenario(check);
    } catch (const std::exception& e) {  // must not unwind into gtest: the child would run the other tests
      check.expect(false, std::string("exception: ") + e.what());
    }
    ::_exit(check.failed() ? 1 : 0);
  }
  ::close(fds[1]);
  std::string report;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  std::size_t at = 0;
  while (at < report.size()) {
    const std::size_t end = std::min(report.find('\n', at), report.size());
    const std::string line = report.substr(at, end - at);
    at = end + 1;
    if (line.starts_with("FAIL ")) ADD_FAILURE() << line.substr(5);
    if (line.starts_with("INFO ")) std::cout << "[   INFO   ] " << line.substr(5) << "\n";
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

}  // namespace sesame::test
