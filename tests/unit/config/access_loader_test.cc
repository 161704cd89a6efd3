// SPDX-License-Identifier: GPL-2.0-or-later
// access.conf on disk: files, folders, %include nesting, %include_keys, file checks, system names, and the same
// accept/refuse verdict as the real fwknopd --exit-parse-config. Temp dirs only.
#include "config/access_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::config {
namespace {

constexpr std::string_view kStanza = "SOURCE ANY\nKEY k\nREQUIRE_SOURCE_ADDRESS Y\n";

std::string messages(const std::vector<ConfigError>& list) {
  std::string out;
  for (const auto& e : list) out += e.to_string() + "\n";
  return out;
}

bool has_message(const std::vector<ConfigError>& list, std::string_view file, int line, std::string_view part) {
  for (const auto& e : list)
    if (e.file == file && e.line == line && e.message.find(part) != std::string::npos) return true;
  return false;
}

Result<AccessConfig, std::vector<ConfigError>> load_file(const std::string& path, AccessDefaults defaults = {}) {
  return load_access_config({.access_file = path, .defaults = std::move(defaults)});
}

AccessConfig load_ok(const std::string& path) {
  auto loaded = load_file(path);
  EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : messages(loaded.error()));
  return loaded ? std::move(*loaded) : AccessConfig{};
}

std::vector<std::string> sources(const AccessConfig& config) {
  std::vector<std::string> out;
  for (const auto& stanza : config.stanzas) out.push_back(stanza.text.source);
  return out;
}

std::string stanza(std::string_view source) {
  return "SOURCE " + std::string(source) + "\nKEY k\nREQUIRE_SOURCE_ADDRESS Y\n";
}

void make_dir(const test::TempDir& dir, const std::string& name) {
  std::filesystem::create_directories(dir.path() + "/" + name);
}

TEST(AccessLoader, LoadsAFile) {
  const test::TempDir dir("sesame-access");
  const std::string path = dir.write_file("access.conf", std::string(kStanza) + "FOO bar\n");
  const auto config = load_ok(path);
  ASSERT_EQ(config.stanzas.size(), 1u);
  EXPECT_EQ(config.stanzas[0].file, path);
  EXPECT_EQ(config.stanzas[0].line, 1);
  EXPECT_TRUE(has_message(config.warnings, path, 4, "FOO: unknown variable")) << messages(config.warnings);
}

TEST(AccessLoader, ModeAndOwnerAreWarnings) {
  const test::TempDir dir("sesame-access");
  const std::string path = dir.write_file("access.conf", std::string(kStanza));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto config = load_ok(path);
  EXPECT_TRUE(has_message(config.warnings, path, 0, "permissions should only be user read/write (0600"))
      << messages(config.warnings);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
    config = load_ok(path);
    EXPECT_TRUE(has_message(config.warnings, path, 0, "not owned by the effective user id"));
  }
}

TEST(AccessLoader, FileErrors) {
  const test::TempDir dir("sesame-access");
  auto loaded = load_file(dir.path() + "/missing.conf");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(messages(loaded.error()), dir.path() + "/missing.conf: No such file or directory\n");

  loaded = load_file(dir.path());
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), dir.path(), 0, "not a regular file")) << messages(loaded.error());

  const std::string fifo = dir.path() + "/fifo.conf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  loaded = load_file(fifo);  // must not block waiting for a writer
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), fifo, 0, "not a regular file"));

  const std::string big = dir.write_file("big.conf", std::string(kStanza) + std::string(17 * 1024 * 1024, '#'));
  loaded = load_file(big);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), big, 0, "larger than 16 MiB"));
}

TEST(AccessLoader, FollowsSymbolicLinks) {
  const test::TempDir dir("sesame-access");
  const std::string target = dir.write_file("real.conf", std::string(kStanza));
  const std::string link = dir.path() + "/access.conf";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_EQ(load_ok(link).stanzas.size(), 1u);
}

TEST(AccessLoader, AtLeastOneStanza) {
  const test::TempDir dir("sesame-access");
  const std::string path = dir.write_file("access.conf", "# nothing\nKEY k\n");
  const auto loaded = load_file(path);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(messages(loaded.error()), path + ": no access stanza: each stanza begins with a SOURCE line\n");
}

TEST(AccessLoader, IncludedStanzasGoWhereTheDirectiveIs) {
  const test::TempDir dir("sesame-access");
  const std::string inc = dir.write_file("inc.conf", stanza("2.2.2.2") + stanza("3.3.3.3"));
  const std::string root =
      dir.write_file("access.conf", "%include " + inc + "\n" + stanza("1.1.1.1") + "%include " + inc +
                                        "\nENABLE_CMD_EXEC Y\n" + stanza("4.4.4.4") + "%include " + inc + "\n");
  const auto config = load_ok(root);
  EXPECT_EQ(sources(config), (std::vector<std::string>{"2.2.2.2", "3.3.3.3", "1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4",
                                                       "2.2.2.2", "3.3.3.3"}));
  EXPECT_TRUE(config.stanzas[2].enable_cmd_exec);  // the line after the %include still belongs to 1.1.1.1
  EXPECT_EQ(config.stanzas[0].file, inc);
}

TEST(AccessLoader, IncludesNestThreeFilesDeep) {
  const test::TempDir dir("sesame-access");
  const std::string third = dir.write_file("third.conf", stanza("3.3.3.3"));
  const std::string second = dir.write_file("second.conf", stanza("2.2.2.2") + "%include " + third + "\n");
  const std::string first = dir.write_file("first.conf", stanza("1.1.1.1") + "%include " + second + "\n");
  EXPECT_EQ(sources(load_ok(first)), (std::vector<std::string>{"1.1.1.1", "2.2.2.2", "3.3.3.3"}));

  const std::string fourth = dir.write_file("fourth.conf", stanza("4.4.4.4"));
  dir.write_file("third.conf", stanza("3.3.3.3") + "\n%include " + fourth + "\n");
  const auto loaded = load_file(first);
  ASSERT_FALSE(loaded);
  ASSERT_EQ(loaded.error().size(), 1u) << messages(loaded.error());
  EXPECT_EQ(loaded.error()[0].to_string(),
            third + ":5: %include: \"" + fourth + "\": Refusing to go deeper than 3 levels");
}

TEST(AccessLoader, SelfIncludeStopsAtTheDepthLimit) {
  const test::TempDir dir("sesame-access");
  const std::string path = dir.path() + "/access.conf";
  dir.write_file("access.conf", stanza("1.1.1.1") + "%include " + path + "\n");
  const auto loaded = load_file(path);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), path, 4, "Refusing to go deeper than 3 levels")) << messages(loaded.error());

  make_dir(dir, "loop.d");
  dir.write_file("loop.d/a.conf", stanza("5.5.5.5") + "%include_folder " + dir.path() + "/loop.d\n");
  const std::string folder_root = dir.write_file("folder.conf", "%include_folder " + dir.path() + "/loop.d/\n");
  const auto folder_loaded = load_file(folder_root);  // fwknopd recurses here until its stack overflows
  ASSERT_FALSE(folder_loaded);
  EXPECT_TRUE(has_message(folder_loaded.error(), dir.path() + "/loop.d/a.conf", 4, "%include_folder: "))
      << messages(folder_loaded.error());
}

TEST(AccessLoader, ErrorsOfIncludedFilesNameThoseFilesAndAllOrNothing) {
  const test::TempDir dir("sesame-access");
  const std::string bad = dir.write_file("bad.conf", "SOURCE 10.1\nKEY k\n");
  const std::string root = dir.write_file(
      "access.conf", stanza("1.1.1.1") + "%include " + bad + "\n%include " + dir.path() + "/none.conf\n");
  const auto loaded = load_file(root);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), bad, 1, "SOURCE: \"10.1\" is not")) << messages(loaded.error());
  EXPECT_TRUE(has_message(loaded.error(), root, 5, "%include: \"" + dir.path() + "/none.conf\": No such file"));
}

TEST(AccessLoader, IncludeFolderReadsConfFilesInNameOrder) {
  const test::TempDir dir("sesame-access");
  make_dir(dir, "conf.d");
  make_dir(dir, "conf.d/sub.d");
  dir.write_file("conf.d/b.conf", stanza("2.2.2.2"));
  dir.write_file("conf.d/a.conf", stanza("1.1.1.1"));
  dir.write_file("conf.d/c.conf", "# no stanza here\n");
  dir.write_file("conf.d/z.conf", stanza("26.26.26.26"));
  dir.write_file("conf.d/a.conf~", stanza("9.9.9.9"));   // fwknopd reads this editor backup too
  dir.write_file("conf.d/a.config", stanza("9.9.9.9"));  // and this
  dir.write_file("conf.d/readme.txt", "not read\n");
  dir.write_file("conf.d/sub.d/x.conf", stanza("9.9.9.9"));
  const std::string root =
      dir.write_file("access.conf", stanza("0.0.0.1") + "%include_folder " + dir.path() + "/conf.d\n");
  const auto config = load_ok(root);
  EXPECT_EQ(sources(config), (std::vector<std::string>{"0.0.0.1", "1.1.1.1", "2.2.2.2", "26.26.26.26"}));
  EXPECT_TRUE(has_message(config.warnings, dir.path() + "/conf.d/a.conf~", 0, "skipped: only names ending in .conf"))
      << messages(config.warnings);
  EXPECT_TRUE(has_message(config.warnings, dir.path() + "/conf.d/a.config", 0, "skipped"));

  make_dir(dir, "conf.d/dir.conf");  // a directory with a .conf name is an error, as in fwknopd
  const auto loaded = load_file(root);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), root, 4,
                          "%include_folder: \"" + dir.path() +
                              "/conf.d/dir.conf\": not a "
                              "regular file"))
      << messages(loaded.error());

  const std::string missing = dir.write_file("missing.conf", stanza("1.1.1.1") + "%include_folder /nonexistent.d\n");
  const auto missing_loaded = load_file(missing);
  ASSERT_FALSE(missing_loaded);
  EXPECT_TRUE(has_message(missing_loaded.error(), missing, 4, "%include_folder: \"/nonexistent.d\": No such file"));
}

TEST(AccessLoader, AccessFolderReplacesTheFile) {
  const test::TempDir dir("sesame-access");
  make_dir(dir, "access.d");
  dir.write_file("access.d/20-b.conf", stanza("2.2.2.2"));
  dir.write_file("access.d/10-empty.conf", "# fwknopd fails if the first file it reads has no stanza\n");
  dir.write_file("access.d/30-c.conf", stanza("3.3.3.3") + "%include " + dir.path() + "/extra.conf\n");
  dir.write_file("extra.conf", stanza("4.4.4.4"));
  auto loaded =
      load_access_config({.access_file = "/nonexistent/access.conf", .access_folder = dir.path() + "/access.d/"});
  ASSERT_TRUE(loaded) << messages(loaded.error());
  EXPECT_EQ(sources(*loaded), (std::vector<std::string>{"2.2.2.2", "3.3.3.3", "4.4.4.4"}));

  make_dir(dir, "empty.d");
  loaded = load_access_config({.access_folder = dir.path() + "/empty.d"});
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), dir.path() + "/empty.d", 0, "no access stanza"));
  loaded = load_access_config({.access_folder = dir.path() + "/missing.d"});
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), dir.path() + "/missing.d", 0, "No such file or directory"))
      << messages(loaded.error());
}

TEST(AccessLoader, IncludeKeysReadsOnlyKeys) {
  const test::TempDir dir("sesame-access");
  const std::string keys = dir.write_file("alice.keys",
                                          "KEY_BASE64: c2VjcmV0c2VjcmV0\nHMAC_KEY_BASE64: "
                                          "aG1hY2htYWM=\nOPEN_PORTS tcp/1\n");
  const std::string root = dir.write_file("access.conf", "SOURCE ANY\nOPEN_PORTS tcp/22\n%include_keys " + keys + "\n");
  const auto config = load_ok(root);
  ASSERT_EQ(config.stanzas.size(), 1u);
  EXPECT_EQ(config.stanzas[0].key->as_text(), "secretsecret");
  EXPECT_EQ(config.stanzas[0].hmac_key->as_text(), "hmachmac");
  EXPECT_EQ(config.stanzas[0].open_ports, (PortList{{Protocol::kTcp, 22}}));
  EXPECT_TRUE(has_message(config.warnings, keys, 3, "OPEN_PORTS: not a key variable")) << messages(config.warnings);
}

TEST(AccessLoader, IncludeKeysProblemsDropTheStanza) {
  const test::TempDir dir("sesame-access");
  const std::string keys = dir.write_file("k.keys", "KEY k1\n");
  ASSERT_EQ(::chmod(keys.c_str(), 0644), 0);
  const std::string hmac = dir.write_file("h.keys", "HMAC_KEY h1\n");
  const std::string root = dir.write_file(
      "access.conf", stanza("1.1.1.1") + "SOURCE 2.2.2.2\n%include_keys " + dir.path() + "/missing.keys\n\n" +
                         "SOURCE 3.3.3.3\n%include_keys " + keys + "\n%include_keys " + hmac + "\n");
  const auto config = load_ok(root);
  // 2.2.2.2 is dropped (its key file is missing); 3.3.3.3 gets both files, the second only once the first
  // was read (a stanza dropped at the first would never reach the second directive).
  EXPECT_EQ(sources(config), (std::vector<std::string>{"1.1.1.1", "3.3.3.3"}));
  EXPECT_EQ(config.stanzas[1].hmac_key->as_text(), "h1");
  EXPECT_TRUE(has_message(config.warnings, root, 5, "%include_keys: \"" + dir.path() + "/missing.keys\": No such"))
      << messages(config.warnings);
  EXPECT_TRUE(has_message(config.warnings, root, 5, "stanza of line 4 dropped"));
  EXPECT_TRUE(has_message(config.warnings, keys, 0, "permissions should only be user read/write"));

  const std::string only = dir.write_file("only.conf", "SOURCE 2.2.2.2\n%include_keys " + dir.path() + "/none\n");
  const auto loaded = load_file(only);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), only, 0, "no access stanza")) << messages(loaded.error());
}

TEST(AccessLoader, ResolvesUsersAndGroups) {
  const test::TempDir dir("sesame-access");
  std::string root = dir.write_file("access.conf", std::string(kStanza) +
                                                       "CMD_EXEC_USER root\nCMD_SUDO_EXEC_USER root\n"
                                                       "CMD_SUDO_EXEC_GROUP root\n");
  auto config = load_ok(root);
  ASSERT_EQ(config.stanzas.size(), 1u);
  EXPECT_EQ(config.stanzas[0].cmd_exec_uid, 0u);
  EXPECT_EQ(config.stanzas[0].cmd_exec_gid, 0u);  // the user's primary group

  root = dir.write_file("access.conf", std::string(kStanza) +
                                           "CMD_EXEC_USER sesame-no-such-user\nCMD_EXEC_GROUP sesame-no-such-group\n"
                                           "CMD_SUDO_EXEC_USER sesame-no-such-user\n"
                                           "CMD_SUDO_EXEC_GROUP sesame-no-such-group\n");
  const auto loaded = load_file(root);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), root, 4,
                          "CMD_EXEC_USER: \"sesame-no-such-user\" is not a user on this "
                          "system"))
      << messages(loaded.error());
  EXPECT_TRUE(has_message(loaded.error(), root, 5, "CMD_EXEC_GROUP: \"sesame-no-such-group\" is not a group"));
  EXPECT_TRUE(has_message(loaded.error(), root, 6, "CMD_SUDO_EXEC_USER"));
  EXPECT_TRUE(has_message(loaded.error(), root, 7, "CMD_SUDO_EXEC_GROUP"));
}

TEST(AccessLoader, ChecksTheStanzasOwnGpgHomeDir) {
  const test::TempDir dir("sesame-access");
  make_dir(dir, "gnupg");
  const std::string gpg = "GPG_DECRYPT_PW pw\nGPG_REMOTE_ID ABCD1234\n";
  std::string root =
      dir.write_file("access.conf", std::string(kStanza) + gpg + "GPG_HOME_DIR " + dir.path() + "/gnupg\n");
  auto config = load_ok(root);
  EXPECT_EQ(config.stanzas.at(0).gpg_home_dir->name, dir.path() + "/gnupg");

  // fwknopd.conf's GPG_HOME_DIR is not checked here (fwknopd does not check it at this point either).
  root = dir.write_file("access.conf", std::string(kStanza) + gpg);
  auto loaded = load_file(root, {.gpg_home_dir = "/nonexistent/gnupg"});
  ASSERT_TRUE(loaded) << messages(loaded.error());
  EXPECT_EQ(loaded->stanzas.at(0).gpg_home_dir->name, "/nonexistent/gnupg");

  root = dir.write_file("access.conf", std::string(kStanza) + gpg + "GPG_HOME_DIR " + dir.path() + "/nope\n" +
                                           "SOURCE 1.1.1.1\nKEY k\nGPG_HOME_DIR " + root + "\n");
  loaded = load_file(root);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_message(loaded.error(), root, 6, "GPG_HOME_DIR: \"" + dir.path() + "/nope\" is not a directory"))
      << messages(loaded.error());
  EXPECT_TRUE(has_message(loaded.error(), root, 9, "GPG_HOME_DIR"));
}

TEST(AccessLoader, NoKeyInAnyMessage) {
  const test::TempDir dir("sesame-access");
  const std::string secret = "s3cr3t-in-a-key-file";
  const std::string keys =
      dir.write_file("k.keys", "KEY " + secret + "\nHMAC_KEY_BASE64 " + secret + "\nKEY_BASE64:" + secret + "\n");
  const std::string root = dir.write_file(
      "access.conf", "SOURCE ANY\n%include_keys " + keys + "\nKEY_BASE64 " + secret + "\nHMAC_KEY " + secret + "x\n");
  const auto loaded = load_file(root);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(messages(loaded.error()).find(secret), std::string::npos) << messages(loaded.error());
}

// --- The verdict of the real fwknopd ---

std::string fwknopd_path() {
  if (const char* env = std::getenv("SESAME_FWKNOPD"); env != nullptr && *env != '\0')
    return test::find_executable({env});
  return test::find_executable({"/usr/sbin/fwknopd", "/sbin/fwknopd", "/usr/local/sbin/fwknopd"});
}

struct Case {
  const char* name;
  std::string text;  // "@DIR@" stands for the case's directory
  bool is_valid;
};

TEST(AccessLoader, SameVerdictAsFwknopd) {
  const std::string fwknopd = fwknopd_path();
  if (fwknopd.empty()) GTEST_SKIP() << "SKIPPED: fwknopd not installed (or SESAME_FWKNOPD not executable)";
  const test::TempDir dir("sesame-fwknopd");
  make_dir(dir, "run");
  make_dir(dir, "conf.d");
  const std::string conf = dir.write_file("fwknopd.conf", "FWKNOP_RUN_DIR " + dir.path() + "/run\n");
  dir.write_file("inc1.conf", stanza("10.0.0.1") + "%include " + dir.path() + "/inc2.conf\n");
  dir.write_file("inc2.conf", stanza("10.0.0.2"));
  dir.write_file("deep1.conf", "%include " + dir.path() + "/deep2.conf\n");
  dir.write_file("deep2.conf", "%include " + dir.path() + "/deep3.conf\n");
  dir.write_file("deep3.conf", stanza("10.0.0.3"));
  dir.write_file("conf.d/a.conf", stanza("10.1.0.1"));
  dir.write_file("conf.d/b.conf", stanza("10.1.0.2"));
  dir.write_file("keys.conf", "KEY_BASE64 c2VjcmV0c2VjcmV0\nHMAC_KEY_BASE64 aG1hY2htYWM=\n");
  dir.write_file("hmac.conf", "HMAC_KEY_BASE64 aG1hY2htYWM=\n");

  const std::vector<Case> cases = {
      {"minimal", std::string(kStanza), true},
      {"every common directive",
       "SOURCE 192.0.2.0/24, 10.0.0.0/255.0.0.0, 198.51.100.7\nDESTINATION 203.0.113.1\n"
       "OPEN_PORTS tcp/22, udp/53\nRESTRICT_PORTS tcp/23\nKEY_BASE64 c2VjcmV0c2VjcmV0c2VjcmV0\n"
       "HMAC_KEY_BASE64 aG1hY2htYWNobWFj\nHMAC_DIGEST_TYPE sha3_256\nENCRYPTION_MODE CTR\nFW_ACCESS_TIMEOUT 0\n"
       "MAX_FW_TIMEOUT 10\nACCESS_EXPIRE 12/31/2099\nENABLE_CMD_EXEC Y\nENABLE_CMD_SUDO_EXEC Y\n"
       "CMD_SUDO_EXEC_USER root\nCMD_EXEC_USER root\nCMD_CYCLE_OPEN echo open $IP\nCMD_CYCLE_CLOSE echo close\n"
       "CMD_CYCLE_TIMER 5\nREQUIRE_USERNAME bob\nREQUIRE_SOURCE Y\nDISABLE_DNAT Y\nUNKNOWN_THING x\n",
       true},
      {"legacy mode and a long key", "SOURCE ANY\nKEY 0123456789abcdefXYZ\nENCRYPTION_MODE legacy\n", true},
      {"gpg with signer id", "SOURCE ANY\nGPG_DECRYPT_PW pw\nGPG_REMOTE_ID ABCD1234\nGPG_EXE /usr/bin/gpg\n", true},
      {"gpg without password, signatures off", "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\n", true},
      {"forward all with masquerade", "SOURCE ANY\nKEY k\nFORWARD_ALL Y\nFORCE_MASQUERADE Y\n", true},
      {"close command NONE", "SOURCE ANY\nKEY k\nCMD_CYCLE_OPEN echo hi\nCMD_CYCLE_CLOSE NONE\n", true},
      {"includes two deep", stanza("1.1.1.1") + "%include @DIR@/inc1.conf\n", true},
      {"includes three deep", "%include @DIR@/deep1.conf\n", false},
      {"include folder", "%include_folder @DIR@/conf.d\n" + stanza("1.1.1.1"), true},
      {"include keys", "SOURCE ANY\n%include_keys @DIR@/keys.conf\n", true},
      {"include keys before a later key line", "SOURCE ANY\n%include_keys @DIR@/hmac.conf\nKEY k\n", false},
      {"missing include", stanza("1.1.1.1") + "%include @DIR@/none.conf\n", false},
      {"changeme", "SOURCE ANY\nKEY_BASE64 __CHANGEME__\n", false},
      {"no key", "SOURCE ANY\nOPEN_PORTS tcp/22\n", false},
      {"equal keys", "SOURCE ANY\nKEY same\nHMAC_KEY same\n", false},
      {"open without close", "SOURCE ANY\nKEY k\nCMD_CYCLE_OPEN echo hi\n", false},
      {"close without timer", "SOURCE ANY\nKEY k\nCMD_CYCLE_OPEN a\nCMD_CYCLE_CLOSE b\n", false},
      {"cycle timer 0", "SOURCE ANY\nKEY k\nCMD_CYCLE_TIMER 0\n", false},
      {"bad cidr", "SOURCE 192.0.2.0/33\nKEY k\n", false},
      {"cidr 0", "SOURCE 192.0.2.0/0\nKEY k\n", false},
      {"bad port", "SOURCE ANY\nKEY k\nOPEN_PORTS tcp/70000\n", false},
      {"icmp port", "SOURCE ANY\nKEY k\nRESTRICT_PORTS icmp/0\n", false},
      {"bad digest", "SOURCE ANY\nKEY k\nHMAC_DIGEST_TYPE sha224\n", false},
      {"bad mode", "SOURCE ANY\nKEY k\nENCRYPTION_MODE PCBC\n", false},
      {"not base64", "SOURCE ANY\nKEY_BASE64 abc!def\n", false},
      {"timeout out of range", "SOURCE ANY\nKEY k\nFW_ACCESS_TIMEOUT 8388609\n", false},
      {"gpg without signer", "SOURCE ANY\nGPG_DECRYPT_PW pw\n", false},
      {"force nat without forwarding", "SOURCE ANY\nKEY k\nFORCE_NAT 192.0.2.1 22\n", false},
      {"masquerade without nat", "SOURCE ANY\nKEY k\nFORCE_MASQUERADE Y\n", false},
      {"unknown user", "SOURCE ANY\nKEY k\nCMD_EXEC_USER sesame-no-such-user\n", false},
      {"missing gpg home", "SOURCE ANY\nKEY k\nGPG_HOME_DIR /nonexistent/gnupg\n", false},
      {"no stanza", "# nothing\nKEY k\n", false},
      {"empty", "", false},
      {"value missing", "SOURCE ANY\nKEY k\nOPEN_PORTS\n", false},
  };
  for (const auto& c : cases) {
    std::string text = c.text;
    for (std::size_t at; (at = text.find("@DIR@")) != std::string::npos;) text.replace(at, 5, dir.path());
    const std::string access = dir.write_file("case.conf", text);
    const auto theirs = test::run_process({fwknopd, "-f", "--exit-parse-config", "-c", conf, "-a", access});
    const auto ours = load_access_config({.access_file = access});
    EXPECT_EQ(theirs.succeeded(), c.is_valid) << c.name << " (fwknopd)\n" << theirs.output;
    EXPECT_EQ(ours.has_value(), c.is_valid) << c.name << " (sesame)\n" << (ours ? "" : messages(ours.error()));
  }
}

}  // namespace
}  // namespace sesame::config
