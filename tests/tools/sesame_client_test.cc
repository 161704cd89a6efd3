// SPDX-License-Identifier: GPL-2.0-or-later
// The sesame client run as a program: key generation, rc-file commands, saved command lines, test mode, and the
// one-line errors with exit status 1. Each test runs with HOME set to a fresh directory.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "spa/packet_codec.h"
#include "support/field_dump.h"
#include "support/qr_scan.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

#ifndef SESAME_CLIENT_PATH
#error "SESAME_CLIENT_PATH must name the built sesame client"
#endif

namespace sesame::test {
namespace {

constexpr const char* kKey = "8eRJ7C3hJ54OU7B46ToDehnJkRsqtpBwzGSbqXDQHY4=";
constexpr const char* kHmacKey =
    "PKQLbWi8yanTTm7qT1TUoG0nYKtCohPsI4KeQg8sO+9PYx3oLo9WyXplVLLpDfeCePV7UDm2liLeg3U7Qkma5Q==";

class SesameClient : public ::testing::Test {
 protected:
  ProcessResult sesame(std::vector<std::string> args, std::optional<std::string> stdin_text = {}) {
    args.insert(args.begin(), SESAME_CLIENT_PATH);
    return run_process(args,
                       {.env = std::vector<std::string>{"HOME=" + home_.path(), "PATH=/usr/bin:/bin", "LOGNAME=tester"},
                        .stdin_text = std::move(stdin_text)});
  }
  std::string home_file(const std::string& name) const { return home_.path() + "/" + name; }
  static std::size_t line_count(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

  TempDir home_{"sesame-client-test"};
};

TEST_F(SesameClient, KeyGenPrintsPastableLines) {
  const auto run = sesame({"--key-gen"});
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const auto lines = split_lines(run.output);
  ASSERT_EQ(lines.size(), 2u) << run.output;
  EXPECT_EQ(lines[0].substr(0, 12), "KEY_BASE64: ");
  EXPECT_EQ(lines[0].size(), 12u + 44u);
  EXPECT_EQ(lines[1].substr(0, 17), "HMAC_KEY_BASE64: ");
  EXPECT_EQ(lines[1].size(), 17u + 88u);
}

TEST_F(SesameClient, KeyGenFileAndQr) {
  const auto run = sesame({"-K", home_file("keys"), "--hmac-digest-type", "sha512"});
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_EQ(run.output, "[+] Wrote Rijndael and HMAC keys to: " + home_file("keys") + "\n");
  const auto qr = sesame({"--key-gen", "--qr"});
  ASSERT_EQ(qr.exit_status, 0);
  EXPECT_NE(qr.output.find("\u2580"), std::string::npos);
}

// --qr-png: the Fwknop2 app's text, scanned back from the image as a phone would.
TEST_F(SesameClient, KeyGenQrPngScansBackToThePrintedKeys) {
  const auto run = sesame({"--key-gen", "--qr-png", home_file("keys.png")});
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("[+] Wrote the keys' QR code to: " + home_file("keys.png")), std::string::npos);
  const auto value = [&](const std::string& name) {
    const auto at = run.output.find(name + ": ");
    return at == std::string::npos
               ? ""
               : run.output.substr(at + name.size() + 2, run.output.find('\n', at) - at - name.size() - 2);
  };
  ASSERT_FALSE(value("KEY_BASE64").empty()) << run.output;
  const std::string scanned = scan_qr(home_file("keys.png"));
  if (scanned == "SKIPPED") GTEST_SKIP() << "SKIPPED: zbarimg (zbar-tools) is not installed";
  EXPECT_EQ(scanned, "KEY_BASE64:" + value("KEY_BASE64") + " HMAC_KEY_BASE64:" + value("HMAC_KEY_BASE64"));
}

TEST_F(SesameClient, TestModeBuildsADecodablePacketAndSavesIt) {
  const auto run = sesame({"-A", "tcp/22", "-a", "10.0.0.1", "-D", "127.0.0.1", "--key-base64-rijndael", kKey,
                           "--key-base64-hmac", kHmacKey, "-T", "-B", home_file("packet"), "--no-save-args"});
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const auto fields = parse_field_dump(run.output);
  EXPECT_EQ(fields.at("Username"), "tester");
  EXPECT_EQ(fields.at("Message String"), "10.0.0.1,tcp/22");
  EXPECT_NE(run.output.find("test mode enabled, SPA packet not actually sent."), std::string::npos);
  TempDir scratch;
  ProcessResult cat = run_process({"/bin/cat", home_file("packet")});
  ASSERT_EQ(cat.output.back(), '\n');
  EXPECT_EQ(cat.output.substr(0, cat.output.size() - 1), fields.at("Final SPA Data"));
}

TEST_F(SesameClient, FirstRunCreatesTheRcFileAndSavesTheCommandLine) {
  const auto run = sesame({"-A", "tcp/22", "-a", "10.0.0.1", "-T", "--key-rijndael", "k"});
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("[*] Creating initial rc file: " + home_file(".sesamerc") + "."), std::string::npos);
  const auto show = sesame({"--show-last"});
  ASSERT_EQ(show.exit_status, 0);
  EXPECT_EQ(show.output, "Last sesame client command line: -A tcp/22 -a 10.0.0.1 -T --key-rijndael k\n");
  const auto again = sesame({"-l"});
  ASSERT_EQ(again.exit_status, 0) << again.output;
  EXPECT_EQ(parse_field_dump(again.output).at("Message String"), "10.0.0.1,tcp/22");
}

TEST_F(SesameClient, SavedStanzaIsUsedByName) {
  const auto save = sesame({"-A", "tcp/2222", "-a", "10.0.0.9", "-D", "192.0.2.1", "--key-gen", "--use-hmac",
                            "--save-rc-stanza", "-n", "office"});
  ASSERT_EQ(save.exit_status, 0) << save.output;
  EXPECT_NE(save.output.find("[+] Wrote Rijndael and HMAC keys to rc file: "), std::string::npos);
  const auto list = sesame({"--stanza-list"});
  ASSERT_EQ(list.exit_status, 0);
  EXPECT_NE(list.output.find(" - office\n"), std::string::npos);
  const auto run = sesame({"-n", "office", "-T", "--no-save-args"});
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const auto fields = parse_field_dump(run.output);
  EXPECT_EQ(fields.at("Message String"), "10.0.0.9,tcp/2222");
  EXPECT_EQ(fields.at("HMAC Type"), "3 (SHA256)");
}

TEST_F(SesameClient, ErrorsAreOneLineAndExitOne) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-A", "tcp/22", "-a", "10.0.0.1", "--key-rijndael", "k"}, "Must use --destination unless --test mode"},
      {{"-a", "10.0.0.1", "-D", "s", "--key-rijndael", "k"}, "Must use -A"},
      {{"-A", "tcp/22", "-a", "10.0.0.300", "-D", "s", "--key-rijndael", "k"}, "Invalid allow IP"},
      {{"-n", "nope", "-T"}, "Named configuration stanza: [nope] was not found."},
      {{"-A", "tcp/22", "-a", "10.0.0.1", "-T", "--key-base64-rijndael", "!!!"}, "KEY_BASE64"},
      {{"-A", "tcp/99999", "-a", "10.0.0.1", "-T", "--key-rijndael", "k"}, "field 6 (message): invalid"},
      {{"-A", "tcp/22", "-a", "10.0.0.1", "-T", "--rc-file", "/nonexistent/dir/rc", "--key-rijndael", "k"},
       "/nonexistent/dir/rc"},
      {{"-A", "tcp/22", "-a", "10.0.0.1", "-D", "no-such-host.invalid", "--key-rijndael", "k", "--no-save-args"},
       "no-such-host.invalid"},
      {{"-A", "tcp/22", "-a", "10.0.0.1", "-T", "--key-rijndael", "same", "--key-hmac", "same"},
       "should not be identical"},
  };
  for (const auto& [args, message] : cases) {
    const auto run = sesame(args);
    EXPECT_EQ(run.exit_status, 1) << args[0] << ": " << run.output;
    EXPECT_NE(run.output.find(message), std::string::npos) << run.output;
    EXPECT_LE(line_count(run.output), 2u) << run.output;  // the first run may also say it created the rc file
  }
}

TEST_F(SesameClient, KeyFromStdin) {
  const auto run = sesame({"-A", "tcp/22", "-a", "10.0.0.1", "-T", "--stdin", "--no-save-args"}, "typed-key\n");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_EQ(parse_field_dump(run.output).at("HMAC Type"), "0 (None)");
}

TEST_F(SesameClient, VersionAndHelp) {
  const auto version = sesame({"-V"});
  EXPECT_EQ(version.exit_status, 0);
  EXPECT_NE(version.output.find("FKO protocol version 3.0.0"), std::string::npos);
  const auto help = sesame({"--help"});
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_NE(help.output.find("--key-base64-hmac"), std::string::npos);
}

}  // namespace
}  // namespace sesame::test
