// SPDX-License-Identifier: GPL-2.0-or-later
// GpgHome: mkdtemp + `gpg --import` + `gpg --import-ownertrust`, torn down with `gpgconf --kill all`.
#include "support/gpg_home.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "support/test_vectors.h"

extern char** environ;

namespace sesame::test {
namespace {

// Runs a program without a shell, stdin from /dev/null, stdout and stderr into `log`; returns its exit status
// (-1 if it could not run or did not exit normally).
int run_logged(std::vector<std::string> args, const std::string& log) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

GpgHome::GpgHome() {
  std::string templ = (std::filesystem::temp_directory_path() / "sesame-gpghome-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("GpgHome: mkdtemp failed");
  path_ = templ;
  // The log lives outside the home so that gpg never sees a stray file in it.
  const std::string log = path_ + ".log";
  const std::string trust = path_ + ".ownertrust";
  std::ofstream(trust) << kGpgServerFingerprint << ":6:\n" << kGpgSignerFingerprint << ":6:\n";
  const bool ok =
      run_logged({"gpg", "--batch", "--yes", "--homedir", path_, "--import", data_path("gpg-test-keys.asc")}, log) ==
          0 &&
      run_logged({"gpg", "--batch", "--yes", "--homedir", path_, "--import-ownertrust", trust}, log) == 0;
  std::string output;
  if (!ok) {
    std::ifstream in(log);
    output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ignored;
  std::filesystem::remove(log, ignored);
  std::filesystem::remove(trust, ignored);
  if (!ok) {
    remove();  // a throwing constructor runs no destructor
    throw std::runtime_error("GpgHome: cannot set up " + path_ + ":\n" + output);
  }
}

GpgHome::~GpgHome() { remove(); }

void GpgHome::remove() {
  if (path_.empty()) return;
  // Each GnuPG home gets its own gpg-agent, which outlives every gpg that started it.
  run_logged({"gpgconf", "--homedir", path_, "--kill", "all"}, "/dev/null");
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

}  // namespace sesame::test
