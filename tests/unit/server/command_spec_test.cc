// SPDX-License-Identifier: GPL-2.0-or-later
// CommandSpec: argv splitting and its 30-word limit, the sudo prefix, user switching and timeouts (server.md §5).
#include "server/exec/command_spec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sesame::server::exec {
namespace {

using Argv = std::vector<std::string>;

config::AccessStanza exec_stanza() {
  config::AccessStanza stanza;
  stanza.enable_cmd_exec = true;
  return stanza;
}

std::string words(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += (i ? " w" : "w") + std::to_string(i);
  return text;
}

TEST(SplitCommand, SplitsOnAnyWhitespaceWithoutQuoting) {
  const auto argv = split_command("  touch\t/tmp/a\n \"b c\"  'd'\r\v\f>x  ");
  ASSERT_TRUE(argv) << argv.error();
  EXPECT_EQ(*argv, (Argv{"touch", "/tmp/a", "\"b", "c\"", "'d'", ">x"}));
}

TEST(SplitCommand, AcceptsThirtyWordsAndRefusesThirtyOne) {
  const auto thirty = split_command(words(30));
  ASSERT_TRUE(thirty) << thirty.error();
  EXPECT_EQ(thirty->size(), 30u);
  EXPECT_EQ(thirty->back(), "w29");
  const auto thirty_one = split_command(words(31));
  ASSERT_FALSE(thirty_one);
  EXPECT_NE(thirty_one.error().find("30"), std::string::npos);
}

TEST(SplitCommand, RefusesEmptyAndNulCommands) {
  EXPECT_FALSE(split_command(""));
  EXPECT_FALSE(split_command(" \t\n"));
  EXPECT_FALSE(split_command(std::string_view("ls\0-l", 5)));
}

TEST(CommandMessageSpec, RefusedWithoutEnableCmdExec) {
  config::AccessStanza stanza;
  const auto spec = command_message_spec(stanza, "touch /tmp/x", "/usr/bin/sudo");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error(), "SPA Command messages are not allowed in the current configuration.");
}

TEST(CommandMessageSpec, RunsAsDaemonUserWithFiveSecondTimeout) {
  const auto spec = command_message_spec(exec_stanza(), "touch  /tmp/x", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->argv, (Argv{"touch", "/tmp/x"}));
  EXPECT_EQ(spec->display, "touch  /tmp/x");
  EXPECT_FALSE(spec->uid);
  EXPECT_FALSE(spec->gid);
  ASSERT_TRUE(spec->timeout);
  EXPECT_EQ(*spec->timeout, std::chrono::milliseconds(5000));
}

TEST(CommandMessageSpec, SudoPrefixWithUserAndGroup) {
  auto stanza = exec_stanza();
  stanza.enable_cmd_sudo_exec = true;
  stanza.cmd_sudo_exec_user = config::SystemName{"alice", 3};
  stanza.cmd_sudo_exec_group = config::SystemName{"staff", 4};
  const auto spec = command_message_spec(stanza, "ls -l /root", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->argv, (Argv{"/usr/bin/sudo", "-u", "alice", "-g", "staff", "ls", "-l", "/root"}));
  EXPECT_EQ(spec->display, "/usr/bin/sudo -u alice -g staff ls -l /root");
}

TEST(CommandMessageSpec, SudoWithoutUserOrGroupIsBareSudo) {
  auto stanza = exec_stanza();
  stanza.enable_cmd_sudo_exec = true;
  const auto spec = command_message_spec(stanza, "id", "/usr/local/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->argv, (Argv{"/usr/local/bin/sudo", "id"}));
}

TEST(CommandMessageSpec, SudoOmitsOnlyTheExactNameRoot) {
  auto stanza = exec_stanza();
  stanza.enable_cmd_sudo_exec = true;
  stanza.cmd_sudo_exec_user = config::SystemName{"root", 3};
  stanza.cmd_sudo_exec_group = config::SystemName{"root", 4};
  auto spec = command_message_spec(stanza, "id", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->argv, (Argv{"/usr/bin/sudo", "id"}));

  // fwknopd drops -u for any name starting with "root" (case-insensitive), running "rootbeer" as root.
  stanza.cmd_sudo_exec_user = config::SystemName{"rootbeer", 3};
  stanza.cmd_sudo_exec_group = config::SystemName{"ROOT", 4};
  spec = command_message_spec(stanza, "id", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->argv, (Argv{"/usr/bin/sudo", "-u", "rootbeer", "-g", "ROOT", "id"}));
}

TEST(CommandMessageSpec, SudoGroupDoesNotDependOnCmdExecGroup) {
  // fwknopd's quirk: -g only when CMD_EXEC_GROUP is set. Here CMD_SUDO_EXEC_GROUP alone decides.
  auto stanza = exec_stanza();
  stanza.enable_cmd_sudo_exec = true;
  stanza.cmd_sudo_exec_group = config::SystemName{"wheel", 4};
  auto spec = command_message_spec(stanza, "id", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->argv, (Argv{"/usr/bin/sudo", "-g", "wheel", "id"}));

  stanza.cmd_sudo_exec_group.reset();
  stanza.cmd_exec_group = config::SystemName{"nobody", 5};
  spec = command_message_spec(stanza, "id", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->argv, (Argv{"/usr/bin/sudo", "id"}));
}

TEST(CommandMessageSpec, TheThirtyWordLimitCountsTheSudoPrefix) {
  auto stanza = exec_stanza();
  stanza.enable_cmd_sudo_exec = true;
  stanza.cmd_sudo_exec_user = config::SystemName{"alice", 3};
  EXPECT_TRUE(command_message_spec(stanza, words(27), "/usr/bin/sudo"));
  EXPECT_FALSE(command_message_spec(stanza, words(28), "/usr/bin/sudo"));
}

TEST(CommandMessageSpec, CmdExecUserSwitchesIdsWithoutTimeout) {
  auto stanza = exec_stanza();
  stanza.cmd_exec_user = config::SystemName{"backup", 6};
  stanza.cmd_exec_uid = 34;
  stanza.cmd_exec_gid = 34;
  const auto spec = command_message_spec(stanza, "/usr/local/bin/run-backup now", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->uid, std::optional<uid_t>(34));
  EXPECT_EQ(spec->gid, std::optional<gid_t>(34));
  EXPECT_FALSE(spec->timeout);
}

TEST(CommandMessageSpec, UidZeroRunsAsDaemonUserWithTimeout) {
  auto stanza = exec_stanza();
  stanza.cmd_exec_user = config::SystemName{"root", 6};
  stanza.cmd_exec_uid = 0;
  stanza.cmd_exec_gid = 0;
  const auto spec = command_message_spec(stanza, "id", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_FALSE(spec->uid);
  EXPECT_TRUE(spec->timeout);
}

TEST(CommandMessageSpec, UserNamedLikeRootStillSwitches) {
  auto stanza = exec_stanza();
  stanza.cmd_exec_user = config::SystemName{"rootbeer", 6};
  stanza.cmd_exec_uid = 1005;
  stanza.cmd_exec_gid = 1005;
  const auto spec = command_message_spec(stanza, "id", "/usr/bin/sudo");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->uid, std::optional<uid_t>(1005));
}

TEST(CommandMessageSpec, UnresolvedCmdExecUserIsRefusedNotRunAsRoot) {
  auto stanza = exec_stanza();
  stanza.cmd_exec_user = config::SystemName{"ghost", 6};
  EXPECT_FALSE(command_message_spec(stanza, "id", "/usr/bin/sudo"));
}

TEST(CycleCommandSpec, RunsAsDaemonUserWithoutTimeout) {
  const auto spec = cycle_command_spec("iptables -I INPUT 1 -s 10.0.0.1 -j ACCEPT");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->argv.size(), 8u);
  EXPECT_EQ(spec->display, "iptables -I INPUT 1 -s 10.0.0.1 -j ACCEPT");
  EXPECT_FALSE(spec->uid);
  EXPECT_FALSE(spec->timeout);
  EXPECT_FALSE(cycle_command_spec("   "));
}

}  // namespace
}  // namespace sesame::server::exec
