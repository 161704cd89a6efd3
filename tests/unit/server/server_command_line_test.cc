// SPDX-License-Identifier: GPL-2.0-or-later
// sesamed's command line: fwknopd's option names, the variables they set, and the exclusive actions.
#include "server/daemon/server_command_line.h"

#include <gtest/gtest.h>

namespace sesame::server::daemon {
namespace {

Result<ServerCommandLine, std::string> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "sesamed");
  return parse_server_command_line(args);
}

TEST(ServerCommandLine, DefaultsToRunningTheDaemon) {
  auto line = parse({});
  ASSERT_TRUE(line) << line.error();
  EXPECT_EQ(line->action, ServerAction::kRun);
  EXPECT_FALSE(line->foreground);
  EXPECT_TRUE(line->overrides.empty());
}

TEST(ServerCommandLine, OptionsThatNameVariablesBecomeOverridesInOrder) {
  auto line = parse({"-f",
                     "-t",
                     "-i",
                     "veth0",
                     "-a",
                     "/tmp/a.conf",
                     "--pcap-file",
                     "x.pcap",
                     "-P",
                     "udp port 1",
                     "-p",
                     "/tmp/pid",
                     "-r",
                     "/tmp/run",
                     "-d",
                     "/tmp/digest",
                     "--access-folder",
                     "/tmp/acc",
                     "--fw-type",
                     "nftables"});
  ASSERT_TRUE(line) << line.error();
  EXPECT_TRUE(line->foreground);
  EXPECT_TRUE(line->test);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"PCAP_INTF", "veth0"},         {"ACCESS_FILE", "/tmp/a.conf"},  {"PCAP_FILE", "x.pcap"},
      {"PCAP_FILTER", "udp port 1"},  {"FWKNOP_PID_FILE", "/tmp/pid"}, {"FWKNOP_RUN_DIR", "/tmp/run"},
      {"DIGEST_FILE", "/tmp/digest"}, {"ACCESS_FOLDER", "/tmp/acc"},   {"FIREWALL_TYPE", "nftables"}};
  ASSERT_EQ(line->overrides.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(line->overrides[i].variable, expected[i].first);
    EXPECT_EQ(line->overrides[i].value, expected[i].second);
  }
  EXPECT_EQ(line->overrides[0].option, "--interface");
}

TEST(ServerCommandLine, FlagsThatSetVariables) {
  auto line = parse({"-U", "--pcap-any-direction", "--log-json"});
  ASSERT_TRUE(line) << line.error();
  std::vector<std::string> variables;
  for (const auto& override : line->overrides) variables.push_back(override.variable + "=" + override.value);
  EXPECT_EQ(variables,
            (std::vector<std::string>{"ENABLE_UDP_SERVER=Y", "ENABLE_PCAP_ANY_DIRECTION=Y", "LOG_FORMAT=json"}));
}

TEST(ServerCommandLine, VerboseCountsAndPacketLimit) {
  auto line = parse({"-v", "-v", "-C", "5"});
  ASSERT_TRUE(line) << line.error();
  EXPECT_EQ(line->verbose, 2);
  EXPECT_EQ(line->packet_limit, 5u);
  EXPECT_FALSE(parse({"-C", "-1"}));
  EXPECT_FALSE(parse({"-C", "x"}));
}

TEST(ServerCommandLine, ActionsAreExclusive) {
  EXPECT_EQ(parse({"-D"})->action, ServerAction::kDumpConfig);
  EXPECT_EQ(parse({"-K"})->action, ServerAction::kKill);
  EXPECT_EQ(parse({"-R"})->action, ServerAction::kRestart);
  EXPECT_EQ(parse({"-S"})->action, ServerAction::kStatus);
  EXPECT_EQ(parse({"--exit-parse-config"})->action, ServerAction::kExitParseConfig);
  EXPECT_EQ(parse({"--fw-list"})->action, ServerAction::kFwList);
  EXPECT_EQ(parse({"--fw-flush"})->action, ServerAction::kFwFlush);
  const auto both = parse({"-D", "-K"});
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().find("exclude each other"), std::string::npos);
}

TEST(ServerCommandLine, VersionAndKeyGenWinOverEverythingElse) {
  EXPECT_EQ(parse({"-D", "-V"})->action, ServerAction::kVersion);
  auto keys = parse({"--key-gen", "--key-len", "16", "--hmac-digest-type", "sha512", "-D"});
  ASSERT_TRUE(keys) << keys.error();
  EXPECT_EQ(keys->action, ServerAction::kKeyGen);
  EXPECT_EQ(keys->key_length, 16u);
  EXPECT_EQ(keys->hmac_digest_type, "sha512");
  EXPECT_FALSE(parse({"--key-gen", "--key-len", "129"}));
}

TEST(ServerCommandLine, UnknownOptionsAndStrayArgumentsAreErrors) {
  EXPECT_FALSE(parse({"--no-such-option"}));
  EXPECT_FALSE(parse({"stray"}));
  auto help = parse({"-h"});
  ASSERT_TRUE(help);
  EXPECT_EQ(help->action, ServerAction::kHelp);
  EXPECT_NE(help->help_text.find("--access-file"), std::string::npos);
}

}  // namespace
}  // namespace sesame::server::daemon
