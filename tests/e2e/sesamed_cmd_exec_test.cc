// SPDX-License-Identifier: GPL-2.0-or-later
// End to end, command messages (server.md §5; `sesame -C`): with ENABLE_CMD_EXEC the command runs as
// CMD_EXEC_USER (setuid/setgid by sesamed) or through sudo as CMD_SUDO_EXEC_USER, and its exit status is logged,
// a failure as an error. Root only; the knock crosses a namespace pair the test builds, and the files the
// commands write live in directories the test makes and removes.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "e2e/sesamed_knock_fixture.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kUser = "nobody";  // in every Debian image

std::string sudo_path() {
  return find_executable({"/usr/bin/sudo", "/bin/sudo"});
}

class SesamedCmdExecEndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const passwd* user = ::getpwnam(kUser);
    if (user == nullptr) GTEST_SKIP() << "SKIPPED: no user " << kUser;
    uid_ = user->pw_uid;
    gid_ = user->pw_gid;
    // A directory only the command's user may write to; the test directory itself (0700, root's) it may not.
    ASSERT_EQ(::chown(user_dir_.path().c_str(), uid_, gid_), 0);
    ASSERT_EQ(::chmod(user_dir_.path().c_str(), 0755), 0);
  }

  // `sesame -C command`, then the log line with the command's exit status.
  void run_command(const std::string& command, const std::string& shown_as, int exit_code) {
    const ProcessResult sent = knock({"-C", command});
    ASSERT_EQ(sent.exit_status, 0) << sent.output;
    EXPECT_TRUE(sesamed_->wait_for_log(
        "[" + net_->client_ip() + "] Processing SPA Command message: command='" + command + "'", 2s))
        << sesamed_log();
    EXPECT_TRUE(sesamed_->wait_for_log("Running command '" + shown_as + "'", 2s)) << sesamed_log();
    EXPECT_TRUE(sesamed_->wait_for_log(
        "CMD_EXEC: command '" + shown_as + "' returned " + std::to_string(exit_code) + ", pid_status: ", 5s))
        << sesamed_log();
  }

  void expect_made_by_user(const std::string& path) {
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path << " not made\n" << sesamed_log();
    EXPECT_EQ(st.st_uid, uid_) << path;
    EXPECT_EQ(st.st_gid, gid_) << path;
  }

  TempDir user_dir_{"sesame-e2e-cmd"};
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

TEST_F(SesamedCmdExecEndToEnd, CommandRunsAsCmdExecUserAndAFailureIsLogged) {
  write_configs("", stanza(std::string("ENABLE_CMD_EXEC Y\nCMD_EXEC_USER ") + kUser + "\n"));
  start_sesamed();

  const std::string made = user_dir_.path() + "/made-by-cmd";
  const std::string touch_made = "/usr/bin/touch " + made;
  run_command(touch_made, touch_made, 0);
  expect_made_by_user(made);

  // Root could write here; the command's user cannot, so touch fails, and that is logged as an error.
  const std::string denied = dir_.path() + "/denied";
  const std::string touch_denied = "/usr/bin/touch " + denied;
  run_command(touch_denied, touch_denied, 1);
  EXPECT_FALSE(std::filesystem::exists(denied)) << "the command ran as root";
  EXPECT_NE(sesamed_->log().find("Permission denied"), std::string::npos) << "touch's error not logged\n"
                                                                          << sesamed_log();
}

TEST_F(SesamedCmdExecEndToEnd, SudoRunsTheCommandAsCmdSudoExecUser) {
  if (sudo_path().empty()) GTEST_SKIP() << "SKIPPED: sudo not installed";
  write_configs("SUDO_EXE " + sudo_path() + "\n",
                stanza(std::string("ENABLE_CMD_EXEC Y\nENABLE_CMD_SUDO_EXEC Y\nCMD_SUDO_EXEC_USER ") + kUser + "\n"));
  start_sesamed();

  const std::string made = user_dir_.path() + "/made-by-sudo";
  const std::string touch_made = "/usr/bin/touch " + made;
  run_command(touch_made, sudo_path() + " -u " + kUser + " " + touch_made, 0);
  expect_made_by_user(made);

  const std::string touch_denied = "/usr/bin/touch " + dir_.path() + "/denied";
  run_command(touch_denied, sudo_path() + " -u " + kUser + " " + touch_denied, 1);
}

}  // namespace
}  // namespace sesame::test
