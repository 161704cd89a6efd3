// SPDX-License-Identifier: GPL-2.0-or-later
// PidFile: one holder at a time, the holder's pid visible to -K/-R/-S, nothing left after a clean exit.
#include "server/daemon/pid_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace sesame::server::daemon {
namespace {

TEST(PidFile, SecondHolderIsRefusedAndSeesTheFirst) {
  test::TempDir dir;
  const std::string path = dir.path() + "/run/sesamed.pid";  // the directory is created
  auto first = PidFile::acquire(path);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(running_daemon_pid(path), ::getpid());
  std::ifstream text(path);
  pid_t written = 0;
  text >> written;
  EXPECT_EQ(written, ::getpid());

  // flock is per open file description: a second open in this process is a second holder.
  auto second = PidFile::acquire(path);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("another sesamed is running (pid " + std::to_string(::getpid()) + ")"),
            std::string::npos)
      << second.error();
}

TEST(PidFile, CleanExitRemovesTheFileAndAStaleFileIsTakenOver) {
  test::TempDir dir;
  const std::string path = dir.path() + "/sesamed.pid";
  { auto held = PidFile::acquire(path); }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(running_daemon_pid(path));

  std::ofstream(path) << "12345\n";  // left by a crash: nobody holds the lock
  EXPECT_FALSE(running_daemon_pid(path));
  auto taken = PidFile::acquire(path);
  ASSERT_TRUE(taken) << taken.error();
  EXPECT_EQ(running_daemon_pid(path), ::getpid());
}

TEST(PidFile, LockHeldByAnotherProcessIsSeen) {
  test::TempDir dir;
  const std::string path = dir.path() + "/sesamed.pid";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = PidFile::acquire(path);
    char byte = held ? 'y' : 'n';
    [[maybe_unused]] auto n = ::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  EXPECT_EQ(byte, 'y');
  EXPECT_EQ(running_daemon_pid(path), child);
  EXPECT_FALSE(PidFile::acquire(path));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_FALSE(running_daemon_pid(path));  // the kernel released the lock with the process
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
}  // namespace sesame::server::daemon
