// SPDX-License-Identifier: GPL-2.0-or-later
// sesame-launcher run as a program, without root (docs/man/sesame-launcher.1.md): --check's watch list, and the
// one-line errors and exit codes for bad options (2) and rc-file problems (1). The watching itself is in
// tests/e2e/sesame_launcher_test.cc.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/field_dump.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

#ifndef SESAME_LAUNCHER_PATH
#error "SESAME_LAUNCHER_PATH must name the built sesame-launcher"
#endif

namespace sesame::test {
namespace {

class SesameLauncherCli : public ::testing::Test {
 protected:
  ProcessResult launcher(std::vector<std::string> args) const {
    args.insert(args.begin(), SESAME_LAUNCHER_PATH);
    return run_process(args, {.env = std::vector<std::string>{"HOME=" + dir_.path(), "LC_ALL=C"},
                              .timeout = std::chrono::seconds(10)});
  }
  std::string rc(const std::string& text) const { return dir_.write_file("rc", text); }

  TempDir dir_{"sesame-launcher-test"};
  const std::string client_ = SESAME_CLIENT_PATH;
};

TEST_F(SesameLauncherCli, CheckPrintsTheWatchList) {
  const std::string file =
      rc("[default]\nKEY_BASE64 aGVsbG8gd29ybGQ=\n[web]\nSPA_SERVER 192.0.2.10\n"
         "ACCESS tcp/443,udp/53\n[dns]\nSPA_SERVER 192.0.2.11\nACCESS udp/53\n"
         "[v6]\nSPA_SERVER 2001:db8::1\nACCESS tcp/22,tcp/80\n");
  const ProcessResult all = launcher({"--rc-file", file, "--client", client_, "--check"});
  EXPECT_EQ(all.exit_status, 0) << all.output;
  EXPECT_EQ(all.output,
            "sesame-launcher: watching 192.0.2.10:443 for [web]\n"
            "sesame-launcher: watching [2001:db8::1]:22 for [v6]\n"
            "sesame-launcher: watching [2001:db8::1]:80 for [v6]\n");
  const ProcessResult named = launcher({"--rc-file", file, "--client", client_, "--check", "-n", "web"});
  EXPECT_EQ(named.exit_status, 0) << named.output;
  EXPECT_EQ(named.output, "sesame-launcher: watching 192.0.2.10:443 for [web]\n");
}

TEST_F(SesameLauncherCli, RcProblemsAreOneLineEachNamingFileAndLine) {
  const std::string file =
      rc("[web]\nSPA_SERVER 192.0.2.10\nACCESS tcp/443x\n[dns]\nSPA_SERVER 192.0.2.11\n"
         "ACCESS udp/53\n");
  const ProcessResult bad = launcher({"--rc-file", file, "--client", client_, "-n", "web", "-n", "dns", "-n", "x"});
  EXPECT_EQ(bad.exit_status, 1);
  EXPECT_EQ(bad.output, "sesame-launcher: " + file + ":3: [web] ACCESS: \"tcp/443x\" is not proto/port (tcp/22)\n" +
                            "sesame-launcher: " + file + ":6: [dns] ACCESS: \"udp/53\" has no tcp port\n" +
                            "sesame-launcher: " + file + ": no stanza [x]\n");
  const ProcessResult missing = launcher({"--rc-file", dir_.path() + "/nope", "--check"});
  EXPECT_EQ(missing.exit_status, 1);
  ASSERT_EQ(split_lines(missing.output).size(), 1u) << missing.output;
  EXPECT_NE(missing.output.find(dir_.path() + "/nope"), std::string::npos) << missing.output;
  // No rc file at all in $HOME: an error, and none is created.
  const ProcessResult none = launcher({"--check"});
  EXPECT_EQ(none.exit_status, 1) << none.output;
  ASSERT_EQ(split_lines(none.output).size(), 1u) << none.output;
}

TEST_F(SesameLauncherCli, BadOptionsAreUsageErrors) {
  const std::string file = rc("[web]\nSPA_SERVER 192.0.2.10\nACCESS tcp/443\n");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--bogus"}, {"--interval", "5"}, {"--interval", "x"}, {"--knock-timeout", "0"}, {"-n"}}) {
    std::vector<std::string> full{"--rc-file", file};
    full.insert(full.end(), args.begin(), args.end());
    const ProcessResult result = launcher(full);
    EXPECT_EQ(result.exit_status, 2) << args.front() << ": " << result.output;
    EXPECT_EQ(split_lines(result.output).size(), 1u) << result.output;
    EXPECT_EQ(result.output.rfind("sesame-launcher: ", 0), 0u) << result.output;
  }
  const ProcessResult client = launcher({"--rc-file", file, "--client", dir_.path() + "/no-client"});
  EXPECT_EQ(client.exit_status, 1);
  EXPECT_EQ(client.output, "sesame-launcher: --client: " + dir_.path() + "/no-client is not an executable file\n");
}

}  // namespace
}  // namespace sesame::test
