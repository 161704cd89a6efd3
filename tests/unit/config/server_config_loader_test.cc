// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd.conf on disk: which file, -O override files, file checks, all-or-nothing errors. Temp dirs only.
#include "config/server_config_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/temp_dir.h"

namespace sesame::config {
namespace {

std::string messages(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& error : errors) out += error.to_string() + "\n";
  return out;
}

bool has_message(const std::vector<ConfigError>& errors, std::string_view text) {
  return messages(errors).find(text) != std::string::npos;
}

TEST(ServerConfigLoader, ConfigFileOptionWinsThenFirstExistingDefault) {
  const test::TempDir dir("sesame-srvconf");
  const std::string sesame = dir.path() + "/sesamed.conf";
  const std::string fwknop = dir.path() + "/fwknopd.conf";
  ServerConfigLookup lookup{.default_paths = {sesame, fwknop}};
  EXPECT_EQ(find_server_config_file(lookup), fwknop);  // neither exists: fwknopd's, which then fails to load
  dir.write_file("fwknopd.conf", "");
  EXPECT_EQ(find_server_config_file(lookup), fwknop);  // an fwknopd setup is used as it is
  dir.write_file("sesamed.conf", "");
  EXPECT_EQ(find_server_config_file(lookup), sesame);
  lookup.config_file = "/x/y.conf";
  EXPECT_EQ(find_server_config_file(lookup), "/x/y.conf");
}

TEST(ServerConfigLoader, DefaultPathsAreSesamesThenFwknopds) {
  const ServerConfigLookup lookup;
  ASSERT_EQ(lookup.default_paths.size(), 2u);
  EXPECT_EQ(lookup.default_paths[0], "/etc/sesame/sesamed.conf");
  EXPECT_EQ(lookup.default_paths[1], "/etc/fwknop/fwknopd.conf");
}

TEST(ServerConfigLoader, OverrideFilesApplyInOrderAfterTheMainFile) {
  const test::TempDir dir("sesame-srvconf");
  const auto main = dir.write_file("main.conf", "PCAP_INTF eth1\nFWKNOP_RUN_DIR /tmp/r\nLOCALE C\n");
  const auto first = dir.write_file("o1.conf", "PCAP_INTF eth2\nFWKNOP_PID_FILE $FWKNOP_RUN_DIR/p.pid\n");
  const auto second = dir.write_file("o2.conf", "PCAP_INTF eth3\n");
  const auto loaded = load_server_config({.config_file = main, .override_config = first + "," + second});
  ASSERT_TRUE(loaded.has_value()) << messages(loaded.error());
  EXPECT_EQ(loaded->config.pcap_intf, "eth3");
  EXPECT_EQ(loaded->config.locale, "C");
  EXPECT_EQ(loaded->config.fwknop_pid_file, "/tmp/r/p.pid");  // $NAME sees the files before
  EXPECT_EQ(loaded->config.config_file, main);
  EXPECT_EQ(loaded->config.override_config, first + "," + second);
  EXPECT_EQ(loaded->files, (std::vector<std::string>{main, first, second}));
  EXPECT_TRUE(loaded->warnings.empty()) << messages(loaded->warnings);
}

TEST(ServerConfigLoader, ConfigFileVariableExpands) {
  const test::TempDir dir("sesame-srvconf");
  const auto main = dir.write_file("main.conf", "SYSLOG_IDENTITY $CONFIG_FILE-x\n");
  const auto loaded = load_server_config({.config_file = main});
  ASSERT_TRUE(loaded.has_value()) << messages(loaded.error());
  EXPECT_EQ(loaded->config.syslog_identity, main + "-x");
}

TEST(ServerConfigLoader, OverrideConfigLineInTheMainFileIsReadUnlessDashOIsGiven) {
  const test::TempDir dir("sesame-srvconf");
  const auto extra = dir.write_file("extra.conf", "PCAP_INTF eth7\n");
  const auto cli = dir.write_file("cli.conf", "PCAP_INTF eth8\n");
  const auto main = dir.write_file("main.conf", "OVERRIDE_CONFIG " + extra + "\n");
  auto loaded = load_server_config({.config_file = main});
  ASSERT_TRUE(loaded.has_value()) << messages(loaded.error());
  EXPECT_EQ(loaded->config.pcap_intf, "eth7");  // fwknopd reads it too
  loaded = load_server_config({.config_file = main, .override_config = cli});
  ASSERT_TRUE(loaded.has_value()) << messages(loaded.error());
  EXPECT_EQ(loaded->config.pcap_intf, "eth8");
  EXPECT_EQ(loaded->config.override_config, cli);
  EXPECT_EQ(loaded->files.size(), 2u);
}

TEST(ServerConfigLoader, ErrorsOfEveryFileAreReturnedAndNothingLoads) {
  const test::TempDir dir("sesame-srvconf");
  const auto main = dir.write_file("main.conf", "PCAP_LOOP_SLEEP 0\nGOOD_LINE_NO_VALUE\n");
  const auto extra = dir.write_file("extra.conf", "\nUDPSERV_PORT 0\n");
  const auto loaded = load_server_config({.config_file = main, .override_config = extra});
  ASSERT_FALSE(loaded.has_value());
  const auto& errors = loaded.error();
  ASSERT_EQ(errors.size(), 3u) << messages(errors);
  EXPECT_EQ(errors[0].to_string(), main + ":1: PCAP_LOOP_SLEEP: \"0\" is not in the range 1-8388608");
  EXPECT_EQ(errors[1].to_string(), main + ":2: GOOD_LINE_NO_VALUE: no value (expected \"VARIABLE value\")");
  EXPECT_EQ(errors[2].to_string(), extra + ":2: UDPSERV_PORT: \"0\" is not in the range 1-65535");
}

TEST(ServerConfigLoader, MissingFileDirectoryAndFifoAreRefused) {
  const test::TempDir dir("sesame-srvconf");
  auto loaded = load_server_config({.config_file = dir.path() + "/none.conf"});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(messages(loaded.error()), dir.path() + "/none.conf: config file not found\n");

  loaded = load_server_config({.config_file = dir.path()});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(messages(loaded.error()), dir.path() + ": not a regular file\n");

  const std::string fifo = dir.path() + "/fifo.conf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  loaded = load_server_config({.config_file = fifo});  // must not block waiting for a writer
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(messages(loaded.error()), fifo + ": not a regular file\n");

  const auto main = dir.write_file("main.conf", "");
  loaded = load_server_config({.config_file = main, .override_config = dir.path() + "/gone.conf"});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_TRUE(has_message(loaded.error(), "gone.conf: config file not found")) << messages(loaded.error());
}

TEST(ServerConfigLoader, EmptyOverrideFileNameIsAnError) {
  const test::TempDir dir("sesame-srvconf");
  const auto main = dir.write_file("main.conf", "");
  const auto loaded = load_server_config({.config_file = main, .override_config = main + ","});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(messages(loaded.error()), "-O: OVERRIDE_CONFIG: \"" + main + ",\" has an empty file name\n");
}

TEST(ServerConfigLoader, ModeAndUnknownVariablesAreWarnings) {
  const test::TempDir dir("sesame-srvconf");
  const auto main = dir.write_file("main.conf", "NO_SUCH_VARIABLE 1\n");
  ASSERT_EQ(::chmod(main.c_str(), 0644), 0);
  const auto loaded = load_server_config({.config_file = main});
  ASSERT_TRUE(loaded.has_value()) << messages(loaded.error());
  EXPECT_EQ(messages(loaded->warnings),
            main + ": permissions should only be user read/write (0600, -rw-------); fix with chmod 600\n" + main +
                ":1: NO_SUCH_VARIABLE: unknown variable; ignored\n");
}

TEST(ServerConfigLoader, ChecksRunAfterAllFiles) {
  const test::TempDir dir("sesame-srvconf");
  const auto main = dir.write_file("main.conf", "SNAT_TRANSLATE_IP __CHANGEME__\n");
  const auto extra = dir.write_file("extra.conf", "ENABLE_IPT_SNAT Y\n");
  auto loaded = load_server_config({.config_file = main});
  ASSERT_TRUE(loaded.has_value()) << messages(loaded.error());
  loaded = load_server_config({.config_file = main, .override_config = extra});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_TRUE(has_message(loaded.error(), main + ":1: SNAT_TRANSLATE_IP")) << messages(loaded.error());
}

TEST(ServerConfigLoader, DebiansFileLoadsWithDefaults) {
  const std::string path = std::string(SESAME_TEST_DATA_DIR) + "/fwknopd.conf.debian";
  const auto loaded = load_server_config({.config_file = path});
  ASSERT_TRUE(loaded.has_value()) << messages(loaded.error());
  EXPECT_EQ(loaded->config.pcap_intf, "eth0");
  EXPECT_EQ(loaded->config.access_file, "/etc/fwknop/access.conf");
  for (const auto& warning : loaded->warnings) EXPECT_EQ(warning.line, 0) << warning.to_string();  // mode only
}

}  // namespace
}  // namespace sesame::config
