// SPDX-License-Identifier: GPL-2.0-or-later
// NetnsLauncher: fork and exec `ip netns exec` (which execs the launcher itself, so the pid is the launcher's).
#include "e2e/netns_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "support/subprocess.h"

namespace sesame::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kReadyMarker = "sesame-launcher: ready";

}  // namespace

NetnsLauncher::NetnsLauncher(const std::string& ns, const std::vector<std::string>& args, const std::string& home,
                             std::string log_path, std::chrono::milliseconds timeout)
    : log_path_(std::move(log_path)) {
  const std::string ip = find_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
  if (ip.empty()) throw std::runtime_error("NetnsLauncher: `ip` (iproute2) not installed");
  std::vector<std::string> full{ip, "netns", "exec", ns, SESAME_LAUNCHER_PATH};
  full.insert(full.end(), args.begin(), args.end());
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (const std::string& arg : full) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::string home_env = "HOME=" + home;
  char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char lang_env[] = "LC_ALL=C";
  char* envp[] = {home_env.data(), path_env, lang_env, nullptr};
  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    for (const int fd : {log_fd, null_fd})
      if (fd >= 0) ::close(fd);
    throw std::runtime_error("NetnsLauncher: cannot open /dev/null or " + log_path_);
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    if (::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp);
    ::_exit(127);
  }
  const int fork_error = errno;
  ::close(log_fd);
  ::close(null_fd);
  if (pid_ < 0) throw std::runtime_error(std::string("NetnsLauncher: fork: ") + std::strerror(fork_error));

  const auto deadline = Clock::now() + timeout;
  while (log().find(kReadyMarker) == std::string::npos) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("NetnsLauncher: exited (wait status " + std::to_string(status) +
                               ") before it was ready; log:\n" + log());
    }
    if (Clock::now() >= deadline) {
      (void)stop(SIGKILL, std::chrono::seconds(5));
      throw std::runtime_error("NetnsLauncher: not ready after " + std::to_string(timeout.count()) + " ms; log:\n" +
                               log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

NetnsLauncher::~NetnsLauncher() {
  (void)stop(SIGKILL, std::chrono::seconds(5));
}

std::string NetnsLauncher::log() const {
  std::ifstream in(log_path_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> NetnsLauncher::lines_starting(const std::string& prefix) const {
  std::istringstream in(log());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  return lines;
}

bool NetnsLauncher::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (log().find(text) == std::string::npos) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::optional<int> NetnsLauncher::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, signal);
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) != pid_) {
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return status;
}

}  // namespace sesame::test
