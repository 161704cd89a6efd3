// SPDX-License-Identifier: GPL-2.0-or-later
// NetnsProcess: fork and exec `ip netns exec`; everything the child needs is prepared before the fork.
#include "e2e/netns_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "support/subprocess.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

NetnsProcess::NetnsProcess(std::string name, const std::string& ns, const std::vector<std::string>& command,
                           const std::vector<std::string>& env, std::string log_path, const std::string& ready_marker,
                           std::chrono::milliseconds timeout)
    : name_(std::move(name)), log_path_(std::move(log_path)) {
  const std::string ip = find_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
  if (ip.empty()) throw std::runtime_error(name_ + ": `ip` (iproute2) not installed");
  std::vector<std::string> full{ip, "netns", "exec", ns};
  full.insert(full.end(), command.begin(), command.end());
  // After the fork only async-signal-safe calls: argv and envp are built here.
  std::vector<char*> argv;
  for (const std::string& arg : full) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  for (std::string& entry : env_copy) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    for (const int fd : {log_fd, null_fd})
      if (fd >= 0) ::close(fd);
    throw std::runtime_error(name_ + ": cannot open /dev/null or " + log_path_);
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    if (::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  const int fork_error = errno;
  ::close(log_fd);
  ::close(null_fd);
  if (pid_ < 0) throw std::runtime_error(name_ + ": fork: " + std::strerror(fork_error));

  const auto deadline = Clock::now() + timeout;
  while (log().find(ready_marker) == std::string::npos) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(name_ + ": exited (wait status " + std::to_string(status) +
                               ") before it was ready; log:\n" + log());
    }
    if (Clock::now() >= deadline) {
      kill_hard();
      throw std::runtime_error(name_ + ": not ready after " + std::to_string(timeout.count()) + " ms; log:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

NetnsProcess::~NetnsProcess() {
  kill_hard();
}

void NetnsProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::optional<int> NetnsProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, signal);
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      kill_hard();
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return status;
}

std::string NetnsProcess::log() const {
  try {
    return read_file(log_path_);
  } catch (const std::exception&) {
    return "";
  }
}

std::vector<std::string> NetnsProcess::lines_starting(const std::string& prefix) const {
  std::istringstream in(log());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  return lines;
}

bool NetnsProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (log().find(text) != std::string::npos) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace sesame::test
