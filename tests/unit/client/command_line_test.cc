// SPDX-License-Identifier: GPL-2.0-or-later
// The client's command line: fwknop's option names, value checks, and the implications between options.
#include "client/command_line.h"

#include <gtest/gtest.h>

namespace sesame::client {
namespace {

Result<ParsedCommandLine> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "sesame");
  return parse_command_line(args);
}

TEST(CommandLine, ParsesTheUsualKnock) {
  auto parsed = parse({"-A",
                       "tcp/22",
                       "-a",
                       "10.0.0.1",
                       "-D",
                       "server.example",
                       "--key-rijndael",
                       "secret",
                       "--key-base64-hmac",
                       "aGVsbG8=",
                       "-m",
                       "sha512",
                       "--hmac-digest-type",
                       "sha3_256",
                       "-M",
                       "ctr",
                       "-p",
                       "40000",
                       "-P",
                       "TCP",
                       "-f",
                       "30",
                       "-U",
                       "alice",
                       "-T",
                       "-v",
                       "-v"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  const auto& s = parsed->invocation.settings;
  EXPECT_EQ(s.access, "tcp/22");
  EXPECT_EQ(s.allow_ip, "10.0.0.1");
  EXPECT_EQ(s.spa_server, "server.example");
  EXPECT_EQ(s.key->as_text(), "secret");
  EXPECT_EQ(s.hmac_key_base64->as_text(), "aGVsbG8=");
  EXPECT_EQ(s.use_hmac, true);
  EXPECT_EQ(s.digest_type, spa::DigestType::kSha512);
  EXPECT_EQ(s.hmac_digest_type, spa::DigestType::kSha3_256);
  EXPECT_EQ(s.encryption_mode, spa::EncryptionMode::kCtr);
  EXPECT_EQ(s.spa_server_port, 40000);
  EXPECT_EQ(s.spa_server_proto, config::SpaProtocol::kTcp);
  EXPECT_EQ(s.fw_timeout_s, 30u);
  EXPECT_EQ(s.spoof_user, "alice");
  EXPECT_EQ(s.verbose, 2);
  EXPECT_TRUE(parsed->invocation.test);
  EXPECT_FALSE(s.source_ip.has_value());  // not given: the rc file may still set it
}

TEST(CommandLine, LongAndShortNamesAreTheSame) {
  auto short_form = parse({"-s", "-R", "-r", "-n", "web", "-B", "file", "-b", "-k", "-K", "keys"});
  auto long_form = parse({"--source-ip", "--resolve-ip-https", "--rand-port", "--named-config", "web", "--save-packet",
                          "file", "--save-packet-append", "--key-gen", "--key-gen-file", "keys"});
  ASSERT_TRUE(short_form && long_form);
  for (const auto* parsed : {&*short_form, &*long_form}) {
    EXPECT_EQ(parsed->invocation.settings.source_ip, true);
    EXPECT_EQ(parsed->invocation.settings.resolve_ip, true);
    EXPECT_EQ(parsed->invocation.settings.rand_port, true);
    EXPECT_EQ(parsed->invocation.named_config, "web");
    EXPECT_EQ(parsed->invocation.save_packet_file, "file");
    EXPECT_TRUE(parsed->invocation.save_packet_append);
    EXPECT_TRUE(parsed->invocation.key_gen);
    EXPECT_EQ(parsed->invocation.key_gen_file, "keys");
  }
}

TEST(CommandLine, OptionsImplyWhatFwknopImplies) {
  auto parsed = parse({"--resolve-url", "https://ip.example/", "--gpg-home-dir", "/tmp/g//", "--get-hmac-key", "f",
                       "-H", "proxy:8080", "--server-resolve-ipv4"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  const auto& s = parsed->invocation.settings;
  EXPECT_EQ(s.resolve_ip, true);  // --resolve-url implies -R
  EXPECT_EQ(s.use_gpg, true);     // any --gpg-* option implies -g
  EXPECT_EQ(s.gpg_home_dir, "/tmp/g");
  EXPECT_EQ(s.use_hmac, true);                                // --get-hmac-key implies --use-hmac
  EXPECT_EQ(s.spa_server_proto, config::SpaProtocol::kHttp);  // -H forces http
  EXPECT_TRUE(parsed->invocation.ipv4_only);
}

TEST(CommandLine, NatAccessColonBecomesComma) {
  auto parsed = parse({"-N", "192.168.1.2:2222"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->invocation.settings.nat_access, "192.168.1.2,2222");
}

TEST(CommandLine, TimeOffsetsAreSigned) {
  auto plus = parse({"--time-offset-plus", "2m"});
  auto minus = parse({"--time-offset-minus", "1d"});
  ASSERT_TRUE(plus && minus);
  EXPECT_EQ(plus->invocation.settings.time_offset_s, 120);
  EXPECT_EQ(minus->invocation.settings.time_offset_s, -86400);
  EXPECT_FALSE(parse({"--time-offset-plus", "1s", "--time-offset-minus", "1s"}));
}

TEST(CommandLine, BadValuesNameTheOption) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-p", "70000"}, "--server-port"},    {{"-S", "-1"}, "--source-port"},
      {{"-m", "sha999"}, "--digest-type"},   {{"--hmac-digest-type", "crc"}, "--hmac-digest-type"},
      {{"-M", "pcbc"}, "--encryption-mode"}, {{"-P", "sctp"}, "--server-proto"},
      {{"-f", "65537"}, "--fw-timeout"},     {{"-f", "30s"}, "--fw-timeout"},
      {{"--nat-port", "x"}, "--nat-port"},   {{"--time-offset-plus", "123456789"}, "--time-offset-plus"},
  };
  for (const auto& [args, option] : cases) {
    auto parsed = parse(args);
    ASSERT_FALSE(parsed) << args[0] << " " << args[1];
    EXPECT_NE(parsed.error().message.find(option), std::string::npos) << parsed.error().message;
  }
}

TEST(CommandLine, ProxyWithAnotherProtocolIsRefused) {
  auto parsed = parse({"-P", "udp", "-H", "proxy"});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "Cannot set --http-proxy with a non-HTTP protocol");
}

TEST(CommandLine, UnknownOptionIsAnError) {
  auto parsed = parse({"-A", "tcp/22", "--no-such-option"});
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("--no-such-option"), std::string::npos) << parsed.error().message;
}

TEST(CommandLine, AnOptionWithoutItsValueNamesTheOption) {
  auto parsed = parse({"-D"});
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("--destination"), std::string::npos) << parsed.error().message;
}

TEST(CommandLine, HelpIsNotAnError) {
  auto parsed = parse({"--help"});
  ASSERT_TRUE(parsed);
  ASSERT_TRUE(parsed->help);
  EXPECT_NE(parsed->help->text.find("--key-base64-rijndael"), std::string::npos);
}

// The parser is given only the options the arguments name (named_options.h); help must still list every one.
TEST(CommandLine, HelpAmongOtherOptionsListsEveryOption) {
  for (const auto& args : {std::vector<std::string>{"-A", "tcp/22", "-h"}, {"-hT"}, {"-D", "x", "--help"}}) {
    auto parsed = parse(args);
    ASSERT_TRUE(parsed && parsed->help) << args.front();
    for (const char* option : {"--gpg-home-dir", "--nat-rand-port", "--icmp-code", "--stanza-list", "-6"})
      EXPECT_NE(parsed->help->text.find(option), std::string::npos) << option;
  }
}

TEST(CommandLine, CombinedFlagsAttachedValuesAndEqualsSigns) {
  auto parsed = parse({"-vvT", "-Atcp/22", "--destination=server.example", "-a10.0.0.1", "--icmp-type=8"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->invocation.settings.verbose, 2);
  EXPECT_TRUE(parsed->invocation.test);
  EXPECT_EQ(parsed->invocation.settings.access, "tcp/22");
  EXPECT_EQ(parsed->invocation.settings.spa_server, "server.example");
  EXPECT_EQ(parsed->invocation.settings.allow_ip, "10.0.0.1");
  EXPECT_EQ(parsed->invocation.icmp_type, 8);
}

TEST(CommandLine, RangeChecksStillApply) {
  auto parsed = parse({"--icmp-type", "41"});
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("icmp-type"), std::string::npos) << parsed.error().message;
}

}  // namespace
}  // namespace sesame::client
