// SPDX-License-Identifier: GPL-2.0-or-later
// KnockRunner: posix_spawn and waitpid around the client.
#include "launcher/knock_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

extern char** environ;

namespace sesame::launcher {
namespace {

// posix_spawn file actions and attributes, destroyed on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

KnockRunner::KnockRunner(std::string client_path, std::string rc_file, std::chrono::milliseconds timeout)
    : client_path_(std::move(client_path)), rc_file_(std::move(rc_file)), timeout_(timeout) {}

KnockRunner::~KnockRunner() {
  for (const auto& knock : knocks_) {
    ::kill(knock.pid, SIGKILL);
    ::waitpid(knock.pid, nullptr, 0);
  }
}

Result<Ok, std::string> KnockRunner::start(const std::string& stanza, const TcpDestination& destination) {
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  // The launcher blocks SIGINT, SIGTERM and SIGCHLD for its signalfd; the client must get them as usual.
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&setup.attributes, &empty);
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGMASK);
  // --no-save-args: a knock the launcher made is not the user's last command line (~/.fwknop.run).
  std::vector<std::string> args{client_path_, "-n", stanza, "--rc-file", rc_file_, "--no-save-args"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, client_path_.c_str(), &setup.actions, &setup.attributes, argv.data(), environ);
  if (error != 0) return fail(client_path_ + ": " + std::strerror(error));
  knocks_.push_back({pid, stanza, destination, Clock::now(), 0});
  return Ok{};
}

Knock* KnockRunner::running(std::string_view stanza) {
  const auto found =
      std::find_if(knocks_.begin(), knocks_.end(), [&](const Knock& knock) { return knock.stanza == stanza; });
  return found == knocks_.end() ? nullptr : &*found;
}

std::vector<FinishedKnock> KnockRunner::reap(Clock::time_point now) {
  for (const auto& knock : knocks_) {
    if (now - knock.started < timeout_ ||
        std::find(timed_out_.begin(), timed_out_.end(), knock.pid) != timed_out_.end())
      continue;
    ::kill(knock.pid, SIGKILL);
    timed_out_.push_back(knock.pid);
  }
  std::vector<FinishedKnock> finished;
  for (auto it = knocks_.begin(); it != knocks_.end();) {
    int status = 0;
    if (::waitpid(it->pid, &status, WNOHANG) != it->pid) {
      ++it;
      continue;
    }
    const auto timed_out = std::find(timed_out_.begin(), timed_out_.end(), it->pid);
    const bool was_timed_out = timed_out != timed_out_.end();
    if (was_timed_out) timed_out_.erase(timed_out);
    const Clock::duration took = Clock::now() - it->started;
    finished.push_back({std::move(*it), status, was_timed_out, took});
    it = knocks_.erase(it);
  }
  return finished;
}

std::vector<FinishedKnock> KnockRunner::finish(std::chrono::milliseconds grace) {
  std::vector<FinishedKnock> finished;
  const auto deadline = Clock::now() + grace;
  while (!knocks_.empty()) {
    auto now = Clock::now();
    if (now >= deadline) {
      for (const auto& knock : knocks_)
        if (std::find(timed_out_.begin(), timed_out_.end(), knock.pid) == timed_out_.end()) {
          ::kill(knock.pid, SIGKILL);
          timed_out_.push_back(knock.pid);
        }
    }
    auto done = reap(now);
    finished.insert(finished.end(), std::make_move_iterator(done.begin()), std::make_move_iterator(done.end()));
    if (!knocks_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return finished;
}

std::string describe(const FinishedKnock& finished) {
  if (finished.timed_out) return "timed out, killed";
  if (WIFEXITED(finished.wait_status)) {
    const int code = WEXITSTATUS(finished.wait_status);
    // posix_spawn reports a failed exec as exit 127 from the child.
    return code == 0 ? "ok" : "sesame exited " + std::to_string(code);
  }
  if (WIFSIGNALED(finished.wait_status))
    return "sesame was killed by signal " + std::to_string(WTERMSIG(finished.wait_status));
  return "sesame ended with wait status " + std::to_string(finished.wait_status);
}

}  // namespace sesame::launcher
