// SPDX-License-Identifier: GPL-2.0-or-later
// FwknopdProcess: fork, setns into the namespace, exec fwknopd with its output in a log file; kill by pid.
#include "e2e/fwknopd_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "support/subprocess.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using Clock = std::chrono::steady_clock;

// Absolute paths only: the point is to run the real fwknopd, not whatever PATH finds first.
std::string fwknopd_path() {
  if (const char* env = std::getenv("SESAME_FWKNOPD"); env != nullptr && *env != '\0') return find_executable({env});
  return find_executable({"/usr/sbin/fwknopd", "/sbin/fwknopd", "/usr/local/sbin/fwknopd"});
}

// What fwknopd 2.6.10 prints once its socket or capture is set up.
constexpr const char* kReadyMarkers[] = {"Kicking off UDP server to listen on port",
                                         "Starting fwknopd main event loop"};

}  // namespace

FwknopdProcess::FwknopdProcess(const std::string& ns, const std::string& dir, const std::string& conf_extra,
                               const std::string& access_conf, std::chrono::milliseconds timeout) {
  const std::string fwknopd = fwknopd_path();
  if (fwknopd.empty()) throw std::runtime_error("FwknopdProcess: fwknopd not installed");
  const std::string run_dir = dir + "/run";
  if (::mkdir(run_dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("FwknopdProcess: mkdir " + run_dir + ": " + std::strerror(errno));
  const std::string conf = dir + "/fwknopd.conf";
  const std::string access = dir + "/access.conf";
  const std::string digest = run_dir + "/digest.cache";
  const std::string pid_file = run_dir + "/fwknopd.pid";
  log_path_ = dir + "/fwknopd.log";
  {
    // TempDir::write_file's 0600 files: fwknopd warns about anything laxer.
    const std::string text = "FWKNOP_RUN_DIR " + run_dir + "\nFWKNOP_PID_FILE " + pid_file + "\nDIGEST_FILE " + digest +
                             "\n" + conf_extra + "\n";
    for (const auto& [path, content] : {std::pair{conf, text}, std::pair{access, access_conf}}) {
      const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0 || ::write(fd, content.data(), content.size()) != ssize_t(content.size()))
        throw std::runtime_error("FwknopdProcess: cannot write " + path);
      ::close(fd);
    }
  }

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  const std::vector<std::string> args{fwknopd, "-f",   "-v", "-c",     conf, "-a",   access,
                                      "-d",    digest, "-p", pid_file, "-r", run_dir};
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char lang_env[] = "LC_ALL=C";
  char* envp[] = {path_env, lang_env, nullptr};
  const int ns_fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0 || log_fd < 0 || null_fd < 0) {
    for (const int fd : {ns_fd, log_fd, null_fd})
      if (fd >= 0) ::close(fd);
    throw std::runtime_error("FwknopdProcess: cannot open the namespace " + ns + ", /dev/null or " + log_path_);
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    if (::setns(ns_fd, CLONE_NEWNET) != 0 || ::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0)
      ::_exit(126);
    ::execve(argv[0], argv.data(), envp);
    ::_exit(127);
  }
  const int fork_error = errno;
  for (const int fd : {ns_fd, log_fd, null_fd}) ::close(fd);
  if (pid_ < 0) throw std::runtime_error(std::string("FwknopdProcess: fork: ") + std::strerror(fork_error));

  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const std::string text = log();
    for (const char* marker : kReadyMarkers) {
      if (text.find(marker) != std::string::npos) {
        // The marker is printed right before the socket is bound or the capture loop starts.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return;
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("FwknopdProcess: fwknopd exited (wait status " + std::to_string(status) +
                               ") before it was ready; log:\n" + text);
    }
    if (Clock::now() >= deadline) {
      stop();
      throw std::runtime_error("FwknopdProcess: fwknopd not ready after " + std::to_string(timeout.count()) +
                               " ms; log:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

FwknopdProcess::~FwknopdProcess() {
  stop();
}

void FwknopdProcess::stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
}

std::string FwknopdProcess::log() const {
  try {
    return read_file(log_path_);
  } catch (const std::exception&) {
    return "";
  }
}

bool FwknopdProcess::available(std::string* why) {
  std::string reason;
  const std::string fwknopd = fwknopd_path();
  if (fwknopd.empty()) {
    reason = "fwknopd not installed (or SESAME_FWKNOPD not executable)";
  } else {
    const ProcessResult version = run_process({fwknopd, "-V"}, {.timeout = std::chrono::seconds(5)});
    if (version.output.find("fwknopd server 2.6.") == std::string::npos)
      reason = "not fwknopd 2.6.x: " + version.output;
  }
  if (why != nullptr) *why = reason;
  return reason.empty();
}

}  // namespace sesame::test
