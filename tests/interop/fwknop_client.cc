// SPDX-License-Identifier: GPL-2.0-or-later
// fwknop client runner: fork/execve without a shell, output through a pipe, packet through -B.
#include "fwknop_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sesame::test {
namespace {

using Clock = std::chrono::steady_clock;

// Absolute paths only: the point is to run the real client, not whatever PATH finds first.
std::string fwknop_path() {
  std::vector<std::string> candidates{"/usr/bin/fwknop", "/usr/local/bin/fwknop", "/bin/fwknop"};
  if (const char* env = std::getenv("SESAME_FWKNOP"); env != nullptr && *env != '\0') candidates = {env};
  for (const std::string& path : candidates) {
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

// mkdtemp directory removed on scope exit.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "sesame-fwknop-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr)
      throw std::runtime_error(std::string("fwknop_client: mkdtemp: ") + std::strerror(errno));
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Exited {
  int wait_status = 0;
  bool timed_out = false;
  std::string output;
};

Exited run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
           std::chrono::milliseconds timeout) {
  std::vector<char*> cargv;
  for (const std::string& arg : argv) cargv.push_back(const_cast<char*>(arg.c_str()));
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (const std::string& var : env) cenv.push_back(const_cast<char*>(var.c_str()));
  cenv.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("fwknop_client: pipe2: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("fwknop_client: fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Async-signal-safe calls only: the test process may have threads.
    ::setpgid(0, 0);  // own group, so a timeout also takes down gpg and anything else it started
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGCHLD, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    const int null = ::open("/dev/null", O_RDONLY);  // never a terminal: a key prompt must fail, not hang
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close_range(3, ~0U, 0);
    ::execve(cargv[0], cargv.data(), cenv.data());
    static const char msg[] = "fwknop_client: execve failed\n";
    [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  ::close(fds[1]);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);

  Exited result;
  const auto deadline = Clock::now() + timeout;
  bool eof = false;
  char buf[4096];
  for (;;) {
    for (;;) {
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n > 0) {
        result.output.append(buf, std::size_t(n));
        continue;
      }
      if (n == 0) eof = true;
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    // The client's exit ends the run, not EOF: a gpg-agent it caused to start may hold the pipe open.
    const pid_t waited = ::waitpid(pid, &result.wait_status, WNOHANG);
    if (waited == pid) break;
    if (Clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &result.wait_status, 0) < 0 && errno == EINTR) {
      }
      result.timed_out = true;
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    ::poll(eof ? nullptr : &pfd, eof ? 0 : 1, eof ? 2 : 50);
  }
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) result.output.append(buf, std::size_t(n));
  ::close(fds[0]);
  return result;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The first "SPA Field Values:" block: "=====" underline, then right-aligned "Label: value" lines up to a blank line.
std::map<std::string, std::string> parse_field_dump(const std::string& output) {
  std::map<std::string, std::string> fields;
  std::size_t pos = output.find("SPA Field Values:\n");
  if (pos == std::string::npos) return fields;
  pos = output.find('\n', pos) + 1;
  while (pos < output.size()) {
    const std::size_t end = std::min(output.find('\n', pos), output.size());
    const std::string line = output.substr(pos, end - pos);
    pos = end + 1;
    if (trim(line).empty()) break;
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;  // the "=====" underline
    fields[trim(line.substr(0, colon))] = line.substr(colon + 2);
  }
  return fields;
}

}  // namespace

FwknopClientRun run_fwknop_client(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  const std::string fwknop = fwknop_path();
  if (fwknop.empty()) throw std::runtime_error("fwknop_client: no fwknop client installed");
  TempDir home;
  const std::string packet_file = home.path() + "/spa.packet";
  std::vector<std::string> argv{fwknop, "--no-rc-file", "--no-save-args", "-T", "-B", packet_file};
  argv.insert(argv.end(), args.begin(), args.end());
  const Exited exited = run(argv, {"HOME=" + home.path(), "PATH=/usr/bin:/bin", "LC_ALL=C"}, timeout);
  if (exited.timed_out)
    throw std::runtime_error("fwknop_client: fwknop ran longer than " + std::to_string(timeout.count()) +
                             " ms and was killed; output:\n" + exited.output);

  FwknopClientRun result;
  result.exit_status = WIFEXITED(exited.wait_status) ? WEXITSTATUS(exited.wait_status) : -1;
  result.output = exited.output;
  result.fields = parse_field_dump(exited.output);
  std::ifstream in(packet_file, std::ios::binary);
  result.packet.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!result.packet.empty() && result.packet.back() == '\n') result.packet.pop_back();
  return result;
}

bool fwknop_client_available(std::string* why) {
  std::string reason;
  const std::string fwknop = fwknop_path();
  if (fwknop.empty()) {
    reason = "fwknop client not installed (or SESAME_FWKNOP not executable)";
  } else {
    const Exited version = run({fwknop, "-V"}, {"PATH=/usr/bin:/bin", "LC_ALL=C"}, std::chrono::seconds(5));
    if (version.timed_out || version.output.find("fwknop client 2.6.") == std::string::npos)
      reason = "not an fwknop 2.6.x client: " + trim(version.output);
  }
  if (why != nullptr) *why = reason;
  return reason.empty();
}

}  // namespace sesame::test
