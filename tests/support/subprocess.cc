// SPDX-License-Identifier: GPL-2.0-or-later
// run_process: fork/execve, one pipe for stdout and stderr, a pidfd (or a short tick) to notice the child's exit.
#include "support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "common/unique_fd.h"

extern char** environ;

namespace sesame::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error("run_process: " + what + ": " + std::strerror(error));
}

// PATH is searched here, in the parent: execvp is not async-signal-safe, so the child must not do it.
std::string resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  const std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir(dirs.substr(start, end - start));
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// Standard input: a memfd holding `text` (no writer to block or to raise SIGPIPE), or /dev/null.
UniqueFd open_input(const std::optional<std::string>& text) {
  if (!text) {
    UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (null.get() < 0) fail("open /dev/null", errno);
    return null;
  }
  UniqueFd memory(::memfd_create("sesame-test-stdin", MFD_CLOEXEC));
  if (memory.get() < 0) fail("memfd_create", errno);
  for (std::size_t done = 0; done < text->size();) {
    const ssize_t n = ::write(memory.get(), text->data() + done, text->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write stdin", errno);
    done += std::size_t(n);
  }
  if (::lseek(memory.get(), 0, SEEK_SET) != 0) fail("lseek stdin", errno);
  return memory;
}

// Readable once the child exits; -1 where the kernel has no pidfd_open (then the loop looks every few ms).
UniqueFd open_exit_fd(pid_t pid) {
#ifdef SYS_pidfd_open
  return UniqueFd(int(::syscall(SYS_pidfd_open, pid, 0)));
#else
  (void)pid;
  return UniqueFd();
#endif
}

void read_available(int fd, std::string& out, bool& eof) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, std::size_t(n));
      continue;
    }
    if (n == 0) eof = true;
    if (n < 0 && errno == EINTR) continue;
    return;  // EOF, EAGAIN or a real error: nothing more to read now
  }
}

// True once the child has exited, without reaping it: its pid, and so its process group id, stay reserved.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  while (::waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
    if (errno != EINTR) fail("waitid", errno);
  }
  return info.si_pid == pid;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty() || argv[0].empty()) throw std::runtime_error("run_process: empty command");
  const std::string program = resolve(argv[0]);
  if (program.empty()) throw std::runtime_error("run_process: " + argv[0] + " not found in PATH");
  // Everything the child needs is made before fork: after it, async-signal-safe calls only (gtest may have threads).
  std::vector<char*> cargv = c_strings(argv);
  std::vector<char*> cenv = options.env ? c_strings(*options.env) : std::vector<char*>{};
  char** envp = options.env ? cenv.data() : environ;
  UniqueFd input = open_input(options.stdin_text);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2", errno);
  UniqueFd output(fds[0]);
  UniqueFd output_end(fds[1]);

  const pid_t pid = ::fork();
  if (pid < 0) fail("fork", errno);
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so that a timeout also takes down whatever it started, and nothing else
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Ignored dispositions survive exec; fwknopd and gpgme rely on the SIGCHLD and SIGPIPE defaults.
    ::signal(SIGCHLD, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(input.get(), STDIN_FILENO);
    ::dup2(output_end.get(), STDOUT_FILENO);
    ::dup2(output_end.get(), STDERR_FILENO);
    ::close_range(3, ~0U, 0);  // no descriptor of the test process leaks into the child
    ::execve(program.c_str(), cargv.data(), envp);
    static const char kMessage[] = "run_process: execve failed\n";
    [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent, so that the group exists before any kill
  output_end.reset();
  input.reset();
  ::fcntl(output.get(), F_SETFL, O_NONBLOCK);
  const UniqueFd exit_fd = open_exit_fd(pid);

  ProcessResult result;
  const auto deadline = Clock::now() + options.timeout;
  bool eof = false;
  for (;;) {
    read_available(output.get(), result.output, eof);
    // The child's exit ends the run, not EOF: a gpg-agent it caused to start may hold the pipe open for good.
    if (has_exited(pid)) break;
    const auto now = Clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    pollfd waits[2];
    nfds_t count = 0;
    if (!eof) waits[count++] = {output.get(), POLLIN, 0};
    if (exit_fd.get() >= 0) waits[count++] = {exit_fd.get(), POLLIN, 0};
    const long long left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    const long long tick = exit_fd.get() >= 0 ? left : std::min<long long>(left, eof ? 5 : 50);
    ::poll(waits, count, int(std::clamp<long long>(tick, 1, 60000)));
  }
  // The child is not reaped yet, so its group id cannot have been reused: this kills only what it left behind in
  // its group (and, after a timeout, the child itself). Daemons that left the group (gpg-agent) are not touched.
  ::kill(-pid, SIGKILL);
  if (result.timed_out) ::kill(pid, SIGKILL);
  while (::waitpid(pid, &result.wait_status, 0) < 0) {
    if (errno != EINTR) fail("waitpid", errno);
  }
  read_available(output.get(), result.output, eof);  // what the child wrote just before it exited
  if (!result.timed_out && WIFEXITED(result.wait_status)) result.exit_status = WEXITSTATUS(result.wait_status);
  return result;
}

std::string find_executable(const std::vector<std::string>& candidates) {
  for (const std::string& path : candidates) {
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

}  // namespace sesame::test
