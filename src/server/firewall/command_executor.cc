// SPDX-License-Identifier: GPL-2.0-or-later
// ProcessExecutor: posix_spawn, one poll loop feeding stdin and draining stdout+stderr, a deadline.
#include "server/firewall/command_executor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

namespace sesame::server::firewall {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array<const char*, 4> kSearchPath{"/usr/sbin", "/usr/bin", "/sbin", "/bin"};

std::string resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  for (const char* dir : kSearchPath) {
    std::string candidate = std::string(dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return program;  // posix_spawn then fails with ENOENT, reported with the name as given
}

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

Result<Pipe, std::string> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Owns the spawn attributes and file actions for exactly one posix_spawn call.
class SpawnSetup {
 public:
  SpawnSetup(int stdin_fd, int stdout_fd) {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawn_file_actions_adddup2(&actions_, stdin_fd, STDIN_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions_, stdout_fd, STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions_, stdout_fd, STDERR_FILENO);
    // The daemon's sockets, capture and log descriptors are not the firewall tool's business.
    ::posix_spawn_file_actions_addclosefrom_np(&actions_, STDERR_FILENO + 1);
    ::posix_spawnattr_init(&attributes_);
    // The daemon blocks every signal for its signalfd; the child must not inherit that, nor ignored signals.
    sigset_t none;
    sigset_t all;
    ::sigemptyset(&none);
    ::sigfillset(&all);
    ::posix_spawnattr_setsigmask(&attributes_, &none);
    ::posix_spawnattr_setsigdefault(&attributes_, &all);
    ::posix_spawnattr_setpgroup(&attributes_, 0);  // its own group, so a timeout kills what it started too
    ::posix_spawnattr_setflags(&attributes_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attributes_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attributes() const { return &attributes_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : int(left);
}

}  // namespace

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& word : argv) {
    if (!line.empty()) line += ' ';
    line += word;
  }
  return line;
}

Result<CommandOutcome, std::string> ProcessExecutor::run(const std::vector<std::string>& argv, std::string_view input) {
  if (argv.empty()) return fail(std::string("empty command"));
  auto to_child = make_pipe();
  if (!to_child) return fail(to_child.error());
  auto from_child = make_pipe();
  if (!from_child) return fail(from_child.error());

  const std::string path = resolve(argv[0]);
  std::vector<char*> args;
  for (const std::string& word : argv) args.push_back(const_cast<char*>(word.c_str()));
  args.push_back(nullptr);
  std::array<char*, 3> env{const_cast<char*>("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), const_cast<char*>("LC_ALL=C"),
                           nullptr};

  pid_t pid = -1;
  {
    const SpawnSetup setup(to_child->read_end.get(), from_child->write_end.get());
    const int spawned = ::posix_spawn(&pid, path.c_str(), setup.actions(), setup.attributes(), args.data(), env.data());
    if (spawned != 0) return fail(command_line(argv) + ": " + std::strerror(spawned));
  }
  to_child->read_end.close();
  from_child->write_end.close();
  ::fcntl(to_child->write_end.get(), F_SETFL, O_NONBLOCK);
  if (input.empty()) to_child->write_end.close();

  CommandOutcome outcome;
  const auto deadline = Clock::now() + timeout_;
  bool timed_out = false;
  std::array<char, 4096> buffer;
  while (from_child->read_end.get() >= 0) {
    std::array<pollfd, 2> fds{pollfd{from_child->read_end.get(), POLLIN, 0},
                              pollfd{to_child->write_end.get(), POLLOUT, 0}};
    const int ready = ::poll(fds.data(), to_child->write_end.get() >= 0 ? 2 : 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = true;
      break;
    }
    if (fds[1].revents != 0) {
      const ssize_t wrote = ::write(to_child->write_end.get(), input.data(), input.size());
      if (wrote > 0) input.remove_prefix(std::size_t(wrote));
      if (wrote < 0 && errno != EAGAIN) input = {};  // EPIPE: it stopped reading; its exit code will say why
      if (input.empty()) to_child->write_end.close();
    }
    if (fds[0].revents != 0) {
      const ssize_t got = ::read(from_child->read_end.get(), buffer.data(), buffer.size());
      if (got > 0) {
        outcome.output.append(buffer.data(), std::size_t(got));
      } else if (got == 0 || errno != EINTR) {
        from_child->read_end.close();
      }
    }
  }
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    outcome.output += "(killed after " + std::to_string(timeout_.count()) + " ms)";
  } else if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  }
  return outcome;
}

}  // namespace sesame::server::firewall
