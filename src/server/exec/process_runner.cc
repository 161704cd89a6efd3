// SPDX-License-Identifier: GPL-2.0-or-later
// ProcessRunner: fork/exec with pidfds in a private epoll set, output pipes, timeouts and a bound on children.
#include "server/exec/process_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace sesame::server::exec {
namespace {

// Used when the daemon has no PATH (a bare systemd or init environment): fwknopd's commands are usually in sbin.
constexpr const char* kDefaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr int kExitCannotExecute = 127;  // as a shell reports it
constexpr int kExitCannotSwitchUser = 126;

// glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37), so C++ cannot link its functions: the raw calls.
int pidfd_open(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0U));
}
int pidfd_send_signal(int pidfd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0U));
}

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Everything the child needs, prepared before fork(): between fork() and execve() only async-signal-safe calls
// are allowed (no allocation), since another thread may have held the allocator's lock at the fork.
struct ChildPlan {
  std::vector<std::string> paths;  // where to try argv[0], in order
  std::vector<char*> argv;
  std::array<char*, 1> envp{nullptr};  // empty environment (fwknop 2.6.10's execvpe with an empty env)
  int stdin_fd = -1;
  int output_fd = -1;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::string exec_failed;      // "sesamed: cannot execute 'x': errno "
  std::string setid_failed;     // "sesamed: cannot switch to uid/gid: errno "
  int highest_fd_to_close = 0;  // for kernels without close_range()
};

std::vector<std::string> search_paths(const std::string& file) {
  if (file.find('/') != std::string::npos) return {file};
  const char* env_path = std::getenv("PATH");
  const std::string_view path = env_path != nullptr && *env_path != '\0' ? env_path : kDefaultSearchPath;
  std::vector<std::string> paths;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const std::string_view dir = path.substr(start, end - start);
    // An empty entry means the working directory to execvp(); skipped: the child's is "/", and a relative
    // lookup is never what a root daemon wants.
    if (!dir.empty()) paths.push_back(std::string(dir) + "/" + file);
    start = end + 1;
  }
  return paths;
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// "<message><errno>\n", without snprintf (not async-signal-safe).
void report_errno(const std::string& message, int error) {
  char digits[16];
  std::size_t n = 0;
  unsigned value = static_cast<unsigned>(error);
  do {
    digits[sizeof(digits) - 1 - n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 && n < sizeof(digits) - 1);
  write_all(STDERR_FILENO, message.data(), message.size());
  write_all(STDERR_FILENO, digits + sizeof(digits) - n, n);
  write_all(STDERR_FILENO, "\n", 1);
}

[[noreturn]] void run_child(const ChildPlan& plan) {
  // The daemon blocks its signals for signalfd and may ignore SIGPIPE; a command must start with the defaults.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);  // fails harmlessly for SIGKILL, SIGSTOP, RT internals
  // A process group of its own, so that a timeout kills what the command started too.
  setsid();

  if (dup2(plan.stdin_fd, STDIN_FILENO) < 0 || dup2(plan.output_fd, STDOUT_FILENO) < 0 ||
      dup2(plan.output_fd, STDERR_FILENO) < 0)
    _exit(kExitCannotExecute);
  // No daemon fd (sockets, the replay log, nftables' netlink socket) may reach the command.
  if (close_range(3, ~0U, 0) != 0)
    for (int fd = 3; fd <= plan.highest_fd_to_close; ++fd) close(fd);
  if (chdir("/") != 0) _exit(kExitCannotExecute);

  if (plan.gid || plan.uid) {
    // Drop root's supplementary groups (fwknopd keeps them); only root may, and only root needs to.
    if (geteuid() == 0) {
      const int dropped = plan.gid ? setgroups(1, &*plan.gid) : setgroups(0, nullptr);
      if (dropped != 0) {
        report_errno(plan.setid_failed, errno);
        _exit(kExitCannotSwitchUser);
      }
    }
    if ((plan.gid && setgid(*plan.gid) != 0) || (plan.uid && setuid(*plan.uid) != 0)) {
      report_errno(plan.setid_failed, errno);
      _exit(kExitCannotSwitchUser);
    }
  }

  // execvp()'s search, without its fallback to /bin/sh for a file that is not an executable format.
  int error = ENOENT;
  for (const auto& path : plan.paths) {
    execve(path.c_str(), plan.argv.data(), const_cast<char* const*>(plan.envp.data()));
    if (errno == EACCES) {
      error = EACCES;  // remembered, as execvp() does, but later directories may still have it
    } else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP && errno != ENAMETOOLONG) {
      error = errno;
      break;
    }
  }
  report_errno(plan.exec_failed, error);
  _exit(kExitCannotExecute);
}

// Keeps `fd` away from 0-2, where the child's dup2() calls would overwrite it before using it.
Result<UniqueFd, std::string> above_stdio(UniqueFd fd) {
  if (fd.get() > STDERR_FILENO) return fd;
  const int moved = fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) return fail(errno_text("fcntl(F_DUPFD_CLOEXEC)"));
  return UniqueFd(moved);
}

void kill_child(pid_t pid, int pidfd) {
  // The pidfd cannot hit a recycled pid. The group kill is safe for the same reason: the child is not reaped
  // yet, so its pid, which is also its process group id, is still ours.
  pidfd_send_signal(pidfd, SIGKILL);
  kill(-pid, SIGKILL);
}

void fill_status(FinishedProcess& result, int status) {
  result.wait_status = status;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
}

}  // namespace

Result<ProcessRunner, std::string> ProcessRunner::create(std::size_t max_processes, std::size_t output_cap) {
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.is_valid()) return fail(errno_text("epoll_create1"));
  auto dev_null = above_stdio(UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC)));
  if (!dev_null || !dev_null->is_valid()) return fail(std::string("cannot open /dev/null"));
  return ProcessRunner(std::move(epoll), std::move(*dev_null), max_processes, output_cap);
}

ProcessRunner::ProcessRunner(UniqueFd epoll, UniqueFd dev_null, std::size_t max_processes, std::size_t output_cap)
    : epoll_(std::move(epoll)), dev_null_(std::move(dev_null)), max_processes_(max_processes), output_cap_(output_cap) {
  children_.reserve(max_processes_);
}

ProcessRunner::~ProcessRunner() {
  for (auto& child : children_) {
    kill_child(child.pid, child.pidfd.get());
    int status = 0;
    while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<pid_t, std::string> ProcessRunner::spawn(const CommandSpec& spec, std::string tag) {
  if (children_.size() >= max_processes_)
    return fail("too many commands running (" + std::to_string(max_processes_) + "), not starting: " + spec.display);
  if (spec.argv.empty()) return fail(std::string("empty command"));
  for (const auto& arg : spec.argv)
    if (arg.find('\0') != std::string::npos) return fail(std::string("command contains a NUL byte"));

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(errno_text("pipe2"));
  UniqueFd read_end(pipe_fds[0]);
  auto write_end = above_stdio(UniqueFd(pipe_fds[1]));
  if (!write_end) return fail(write_end.error());
  // Only our end is non-blocking: the command gets an ordinary blocking stdout.
  if (fcntl(read_end.get(), F_SETFL, fcntl(read_end.get(), F_GETFL) | O_NONBLOCK) != 0)
    return fail(errno_text("fcntl(O_NONBLOCK)"));

  ChildPlan plan;
  plan.paths = search_paths(spec.argv.front());
  for (const auto& arg : spec.argv) plan.argv.push_back(const_cast<char*>(arg.c_str()));
  plan.argv.push_back(nullptr);
  plan.stdin_fd = dev_null_.get();
  plan.output_fd = write_end->get();
  plan.uid = spec.uid;
  plan.gid = spec.gid;
  plan.exec_failed = "sesamed: cannot execute '" + spec.argv.front() + "': errno ";
  plan.setid_failed = "sesamed: cannot switch to the command's user or group: errno ";
  const long open_max = sysconf(_SC_OPEN_MAX);
  plan.highest_fd_to_close = static_cast<int>(std::clamp(open_max, 1024L, 65536L));

  const pid_t pid = fork();
  if (pid < 0) return fail(errno_text("fork"));
  if (pid == 0) run_child(plan);
  write_end->reset();  // the child's copy is the only writer left: end of file when it (and its children) exit

  Child child;
  child.pid = pid;
  child.pidfd = UniqueFd(pidfd_open(pid));
  if (!child.pidfd.is_valid()) {
    const std::string error = errno_text("pidfd_open");
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return fail(error);
  }
  child.output_fd = std::move(read_end);
  if (spec.timeout) child.deadline = Clock::now() + *spec.timeout;
  child.result.tag = std::move(tag);
  child.result.display = spec.display;
  child.result.pid = pid;

  epoll_event event{};
  event.events = EPOLLIN;
  bool registered = true;
  event.data.fd = child.pidfd.get();
  registered = registered && epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, child.pidfd.get(), &event) == 0;
  event.data.fd = child.output_fd.get();
  registered = registered && epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, child.output_fd.get(), &event) == 0;
  if (!registered) {
    const std::string error = errno_text("epoll_ctl");
    kill_child(pid, child.pidfd.get());
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return fail(error);  // closing the fds removes them from the epoll set
  }
  children_.push_back(std::move(child));
  return pid;
}

std::optional<ProcessRunner::Clock::time_point> ProcessRunner::next_deadline() const {
  std::optional<Clock::time_point> next;
  for (const auto& child : children_)
    if (child.deadline && !child.result.timed_out && (!next || *child.deadline < *next)) next = child.deadline;
  return next;
}

void ProcessRunner::drain_output(Child& child) {
  std::array<char, 16384> buffer;
  while (child.output_fd.is_valid()) {
    const ssize_t n = read(child.output_fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // EAGAIN: drained for now
    if (n == 0) {
      // End of file stays readable forever: leave the epoll set (closing the fd does that) or it would spin.
      child.output_fd.reset();
      return;
    }
    // Past the cap the output is still read, so that a chatty command never blocks on a full pipe.
    auto& output = child.result.output;
    const std::size_t room = output_cap_ - std::min(output_cap_, output.size());
    const std::size_t take = std::min(room, static_cast<std::size_t>(n));
    output.append(buffer.data(), take);
    if (take < static_cast<std::size_t>(n)) child.result.is_output_truncated = true;
  }
}

std::vector<FinishedProcess> ProcessRunner::collect(Clock::time_point now) {
  std::vector<FinishedProcess> finished;
  for (std::size_t i = 0; i < children_.size();) {
    Child& child = children_[i];
    drain_output(child);
    int status = 0;
    pid_t reaped = waitpid(child.pid, &status, WNOHANG);
    while (reaped < 0 && errno == EINTR) reaped = waitpid(child.pid, &status, WNOHANG);
    if (reaped == child.pid || (reaped < 0 && errno == ECHILD)) {
      // Whatever it wrote before exiting is in the pipe now. A leftover grandchild holding the pipe open does
      // not delay the report: its later output is not ours to wait for.
      drain_output(child);
      if (reaped == child.pid) fill_status(child.result, status);
      finished.push_back(std::move(child.result));
      children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));  // closes pidfd and pipe
      continue;
    }
    if (child.deadline && !child.result.timed_out && now >= *child.deadline) {
      kill_child(child.pid, child.pidfd.get());
      child.result.timed_out = true;  // reported when the pidfd says it is gone, at a later collect()
    }
    ++i;
  }
  return finished;
}

}  // namespace sesame::server::exec
