// SPDX-License-Identifier: GPL-2.0-or-later
// ProcessRunner: real children (/bin/echo, /usr/bin/env, id, sleep): output capture, exit codes, empty
// environment, no leaked fds, timeouts, the process bound, user switching as root, and spawn never waiting.
#include "server/exec/process_runner.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace sesame::server::exec {
namespace {

using Clock = ProcessRunner::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

CommandSpec command(std::vector<std::string> argv, std::optional<milliseconds> timeout = std::nullopt) {
  CommandSpec spec;
  for (const auto& arg : argv) spec.display += (spec.display.empty() ? "" : " ") + arg;
  spec.argv = std::move(argv);
  spec.timeout = timeout;
  return spec;
}

ProcessRunner make_runner(std::size_t max_processes = ProcessRunner::kDefaultMaxProcesses,
                          std::size_t output_cap = ProcessRunner::kDefaultOutputCap) {
  auto runner = ProcessRunner::create(max_processes, output_cap);
  if (!runner) ADD_FAILURE() << runner.error();
  return std::move(runner).value();
}

// Waits on the runner's fd as the daemon's loop would, until `count` children ended or `limit` passed.
std::vector<FinishedProcess> wait_for(ProcessRunner& runner, std::size_t count, Clock::duration limit = seconds(20)) {
  std::vector<FinishedProcess> done;
  const auto give_up = Clock::now() + limit;
  while (done.size() < count && Clock::now() < give_up) {
    pollfd pfd{runner.fd(), POLLIN, 0};
    poll(&pfd, 1, 100);
    for (auto& finished : runner.collect(Clock::now())) done.push_back(std::move(finished));
  }
  return done;
}

FinishedProcess run_one(const CommandSpec& spec, std::size_t output_cap = ProcessRunner::kDefaultOutputCap) {
  auto runner = make_runner(4, output_cap);
  const auto pid = runner.spawn(spec, "test");
  if (!pid) {
    ADD_FAILURE() << pid.error();
    return {};
  }
  auto done = wait_for(runner, 1);
  if (done.size() != 1) {
    ADD_FAILURE() << "command did not finish: " << spec.display;
    return {};
  }
  EXPECT_EQ(done[0].pid, *pid);
  return std::move(done[0]);
}

TEST(ProcessRunner, CapturesOutputAndExitStatus) {
  const auto echo = run_one(command({"/bin/echo", "hello", "world"}));
  EXPECT_EQ(echo.output, "hello world\n");
  EXPECT_EQ(echo.exit_code, std::optional<int>(0));
  EXPECT_FALSE(echo.term_signal);
  EXPECT_FALSE(echo.timed_out);
  EXPECT_EQ(echo.tag, "test");
  EXPECT_EQ(echo.display, "/bin/echo hello world");

  const auto failing = run_one(command({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}));
  EXPECT_EQ(failing.output, "out\nerr\n");
  EXPECT_EQ(failing.exit_code, std::optional<int>(3));
}

TEST(ProcessRunner, EnvironmentIsEmpty) {
  ASSERT_NE(getenv("PATH"), nullptr);  // so an empty output means the child's env really was emptied
  const auto env = run_one(command({"/usr/bin/env"}));
  EXPECT_EQ(env.output, "");
  EXPECT_EQ(env.exit_code, std::optional<int>(0));
}

TEST(ProcessRunner, FindsBareNamesInPathWithoutAShell) {
  const auto echo = run_one(command({"echo", "$HOME", ">", "/tmp/x", ";", "id"}));
  EXPECT_EQ(echo.output, "$HOME > /tmp/x ; id\n");
  EXPECT_EQ(echo.exit_code, std::optional<int>(0));
}

TEST(ProcessRunner, ReportsACommandThatCannotBeExecuted) {
  const auto missing = run_one(command({"/nonexistent/sesame-no-such-command", "x"}));
  EXPECT_EQ(missing.exit_code, std::optional<int>(127));
  EXPECT_NE(missing.output.find("cannot execute '/nonexistent/sesame-no-such-command'"), std::string::npos)
      << missing.output;
  const auto not_in_path = run_one(command({"sesame-no-such-command-in-path"}));
  EXPECT_EQ(not_in_path.exit_code, std::optional<int>(127));
}

TEST(ProcessRunner, StdinIsDevNullAndNoOtherFdLeaks) {
  const int leaky = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 0);
  const auto cat = run_one(command({"/bin/cat"}));
  EXPECT_EQ(cat.output, "");
  EXPECT_EQ(cat.exit_code, std::optional<int>(0));
  // ls itself holds 3 for the directory it reads; nothing else may be open.
  const auto fds = run_one(command({"/bin/ls", "/proc/self/fd"}));
  close(leaky);
  EXPECT_EQ(fds.output, "0\n1\n2\n3\n");
}

TEST(ProcessRunner, CapsCapturedOutputWithoutBlockingTheChild) {
  const auto big = run_one(command({"/usr/bin/head", "-c", "1000000", "/dev/zero"}), 1000);
  EXPECT_EQ(big.exit_code, std::optional<int>(0));
  EXPECT_EQ(big.output.size(), 1000u);
  EXPECT_TRUE(big.is_output_truncated);
}

TEST(ProcessRunner, SpawnReturnsAtOnceAndATimeoutKills) {
  auto runner = make_runner();
  const auto start = Clock::now();
  const auto pid = runner.spawn(command({"/bin/sleep", "30"}, milliseconds(300)), "sleeper");
  ASSERT_TRUE(pid) << pid.error();
  EXPECT_LT(Clock::now() - start, seconds(5));  // generous, and still far below the child's 30 s
  EXPECT_EQ(runner.running(), 1u);
  ASSERT_TRUE(runner.next_deadline());
  EXPECT_LE(*runner.next_deadline(), Clock::now() + milliseconds(300));

  const auto done = wait_for(runner, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_LT(Clock::now() - start, seconds(20));  // far below sleep's 30 s
  EXPECT_TRUE(done[0].timed_out);
  EXPECT_EQ(done[0].term_signal, std::optional<int>(SIGKILL));
  EXPECT_FALSE(done[0].exit_code);
  EXPECT_EQ(done[0].tag, "sleeper");
  EXPECT_EQ(runner.running(), 0u);
  EXPECT_FALSE(runner.next_deadline());
}

TEST(ProcessRunner, CollectNeverWaitsForARunningChild) {
  auto runner = make_runner();
  ASSERT_TRUE(runner.spawn(command({"/bin/sleep", "30"}), "sleeper"));
  const auto start = Clock::now();
  EXPECT_TRUE(runner.collect(Clock::now()).empty());
  EXPECT_LT(Clock::now() - start, seconds(5));
  EXPECT_FALSE(runner.next_deadline());  // no timeout asked for
  // The destructor kills it.
}

TEST(ProcessRunner, BoundsConcurrentChildrenAndDestructorKillsThem) {
  std::vector<pid_t> pids;
  {
    auto runner = make_runner(2);
    for (int i = 0; i < 2; ++i) {
      const auto pid = runner.spawn(command({"/bin/sleep", "30"}), "sleeper");
      ASSERT_TRUE(pid) << pid.error();
      pids.push_back(*pid);
    }
    const auto refused = runner.spawn(command({"/bin/echo", "one", "too", "many"}), "third");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("too many commands running"), std::string::npos) << refused.error();
  }
  for (const pid_t pid : pids) {
    errno = 0;
    EXPECT_EQ(kill(pid, 0), -1);  // killed and reaped: no such process (and no zombie left behind)
    EXPECT_EQ(errno, ESRCH);
  }
}

TEST(ProcessRunner, RunsManyShortCommandsConcurrently) {
  auto runner = make_runner(8);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(runner.spawn(command({"/bin/echo", std::to_string(i)}), std::to_string(i)));
  const auto done = wait_for(runner, 8);
  ASSERT_EQ(done.size(), 8u);
  for (const auto& finished : done) {
    EXPECT_EQ(finished.output, finished.tag + "\n");
    EXPECT_EQ(finished.exit_code, std::optional<int>(0));
  }
}

std::size_t open_fd_count() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

TEST(ProcessRunner, ReleasesEveryFdItOpened) {
  const std::size_t before = open_fd_count();
  {
    auto runner = make_runner();
    ASSERT_TRUE(runner.spawn(command({"/bin/echo", "x"}), "done"));
    ASSERT_TRUE(runner.spawn(command({"/bin/sleep", "30"}), "killed by the destructor"));
    EXPECT_EQ(wait_for(runner, 1).size(), 1u);
  }
  EXPECT_EQ(open_fd_count(), before);
}

TEST(ProcessRunner, RunsAsNobodyWhenRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "SKIPPED: switching user needs root";
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "SKIPPED: no user nobody";
  auto spec = command({"/usr/bin/id", "-u"});
  spec.uid = nobody->pw_uid;
  spec.gid = nobody->pw_gid;
  const auto uid = run_one(spec);
  EXPECT_EQ(uid.exit_code, std::optional<int>(0));
  EXPECT_EQ(uid.output, std::to_string(nobody->pw_uid) + "\n");

  // Only the one group: root's supplementary groups are dropped.
  spec.argv = {"/usr/bin/id", "-G"};
  const auto groups = run_one(spec);
  EXPECT_EQ(groups.output, std::to_string(nobody->pw_gid) + "\n");
}

}  // namespace
}  // namespace sesame::server::exec
