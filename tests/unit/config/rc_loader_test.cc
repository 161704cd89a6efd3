// SPDX-License-Identifier: GPL-2.0-or-later
// The rc file on disk: which path, first-run creation, mode/owner warnings, write-back. Temp dirs only.
#include "config/rc_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/rc_settings.h"
#include "config/rc_writer.h"
#include "support/temp_dir.h"

namespace sesame::config {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool contains(const std::vector<std::string>& lines, std::string_view part) {
  for (const auto& line : lines)
    if (line.find(part) != std::string::npos) return true;
  return false;
}

TEST(RcLoader, RcFileOptionWins) {
  auto path = find_rc_file({.rc_file = "/x/rc", .home_dir = "/home/u"});
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, "/x/rc");
  path = find_rc_file({.rc_file = "/x/rc", .no_home_dir = true});
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, "/x/rc");
}

TEST(RcLoader, HomeDirChoosesSesamercThenFwknoprc) {
  const test::TempDir home("sesame-rc");
  auto path = find_rc_file({.home_dir = home.path()});
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, home.path() + "/.sesamerc");  // neither exists: the one to create

  home.write_file(".fwknoprc", "[default]\n");
  path = find_rc_file({.home_dir = home.path() + "/"});
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, home.path() + "/.fwknoprc");  // an fwknop user's file is used in place

  home.write_file(".sesamerc", "[default]\n");
  path = find_rc_file({.home_dir = home.path()});
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, home.path() + "/.sesamerc");
}

TEST(RcLoader, NoHomeNeedsRcFile) {
  auto path = find_rc_file({.home_dir = "/home/u", .no_home_dir = true});
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error(), "Warning: in --no-home-dir mode, must set --rc-file path.");
  EXPECT_FALSE(find_rc_file({}).has_value());
  EXPECT_FALSE(find_rc_file({.home_dir = ""}).has_value());
}

TEST(RcLoader, MissingFileIsCreatedPrivateWithTheTemplate) {
  const test::TempDir home("sesame-rc");
  const std::string path = home.path() + "/.sesamerc";
  const mode_t old_umask = ::umask(0);  // even a permissive umask must not widen the mode
  auto loaded = load_rc_file(path, IfRcFileMissing::kCreate);
  ::umask(old_umask);
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ(loaded->messages, (std::vector<std::string>{"[*] Creating initial rc file: " + path + "."}));
  EXPECT_TRUE(loaded->warnings.empty());
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(read_file(path), initial_rc_file_text());
  EXPECT_TRUE(has_stanza(loaded->file, "default"));
  EXPECT_TRUE(loaded->file.errors.empty());

  // Second run: read, nothing created, no warning.
  auto again = load_rc_file(path, IfRcFileMissing::kCreate);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->messages.empty());
  EXPECT_TRUE(again->warnings.empty()) << again->warnings.front();
}

TEST(RcLoader, MissingFileWithoutCreateIsAnError) {
  const test::TempDir home("sesame-rc");
  auto loaded = load_rc_file(home.path() + "/none", IfRcFileMissing::kFail);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error(), "Unable to open rc file: " + home.path() + "/none: No such file or directory");
  EXPECT_FALSE(std::filesystem::exists(home.path() + "/none"));
}

TEST(RcLoader, UncreatableFileIsAWarningAndAnEmptyFile) {
  const test::TempDir home("sesame-rc");
  auto loaded = load_rc_file(home.path() + "/no/such/dir/rc", IfRcFileMissing::kCreate);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_TRUE(loaded->file.stanzas.empty());
  EXPECT_TRUE(contains(loaded->warnings, "Unable to create initial rc file"));
}

TEST(RcLoader, ReadsAndParsesAnExistingFile) {
  const test::TempDir home("sesame-rc");
  const std::string path = home.write_file("rc", "[default]\nACCESS tcp/22\n[web]\nSPA_SERVER_PORT 99999\n");
  auto loaded = load_rc_file(path, IfRcFileMissing::kFail);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->path, path);
  EXPECT_EQ(loaded->file.file_name, path);
  auto settings = settings_from_rc(loaded->file, "web");
  ASSERT_FALSE(settings.has_value());
  EXPECT_EQ(settings.error().front().to_string(), path + ":4: SPA_SERVER_PORT: \"99999\" is not a port (0-65535)");
}

TEST(RcLoader, WarnsAboutModeAndOwner) {
  const test::TempDir home("sesame-rc");
  const std::string path = home.write_file("rc", "[default]\n");
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto loaded = load_rc_file(path, IfRcFileMissing::kFail);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->warnings, (std::vector<std::string>{"[-] file: " + path +
                                                        " permissions should only be user read/write (0600, "
                                                        "-rw-------)"}));
  if (::geteuid() == 0) {  // only root can give a file away
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    ASSERT_EQ(::chown(path.c_str(), 4242, 4242), 0);
    loaded = load_rc_file(path, IfRcFileMissing::kFail);
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->warnings,
              (std::vector<std::string>{"[-] file: " + path + " not owned by current effective user id"}));
  }
}

TEST(RcLoader, DirectoryAndEndlessDeviceAreErrors) {
  const test::TempDir home("sesame-rc");
  auto dir = load_rc_file(home.path(), IfRcFileMissing::kCreate);
  ASSERT_FALSE(dir.has_value());
  EXPECT_NE(dir.error().find("Is a directory"), std::string::npos);
  auto zero = load_rc_file("/dev/zero", IfRcFileMissing::kFail);
  ASSERT_FALSE(zero.has_value());
  EXPECT_NE(zero.error().find("larger than 16 MiB"), std::string::npos);
  auto null = load_rc_file("/dev/null", IfRcFileMissing::kFail);  // "--rc-file /dev/null" reads nothing
  ASSERT_TRUE(null.has_value());
  EXPECT_TRUE(null->file.stanzas.empty());
  EXPECT_TRUE(contains(null->warnings, "is not a regular file"));
}

TEST(RcLoader, WriteReplacesThroughUpdatedFileWithMode0600) {
  const test::TempDir home("sesame-rc");
  const std::string path = home.write_file("rc", "old\n");
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(write_rc_file(path, "[default]\nACCESS tcp/22\n").has_value());
  EXPECT_EQ(read_file(path), "[default]\nACCESS tcp/22\n");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".updated"));
}

TEST(RcLoader, LeftoverUpdatedFileStopsTheWriteAndIsNamed) {
  const test::TempDir home("sesame-rc");
  const std::string path = home.write_file("rc", "old\n");
  home.write_file("rc.updated", "junk");
  auto written = write_rc_file(path, "new\n");
  ASSERT_FALSE(written.has_value());
  EXPECT_NE(written.error().find(path + ".updated"), std::string::npos);
  EXPECT_EQ(read_file(path), "old\n");
  EXPECT_EQ(read_file(path + ".updated"), "junk");
}

TEST(RcLoader, WriteThroughSymlinkUpdatesItsTarget) {
  const test::TempDir home("sesame-rc");
  std::filesystem::create_directory(home.path() + "/dotfiles");
  const std::string target = home.write_file("dotfiles/sesamerc", "old\n");
  const std::string link = home.path() + "/.sesamerc";
  std::filesystem::create_symlink(target, link);
  ASSERT_TRUE(write_rc_file(link, "new\n").has_value());
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(read_file(target), "new\n");
}

TEST(RcLoader, SaveStanzaToFile) {
  const test::TempDir home("sesame-rc");
  const std::string path = home.path() + "/.sesamerc";
  ASSERT_TRUE(load_rc_file(path, IfRcFileMissing::kCreate).has_value());
  ClientSettings given;
  given.spa_server = "srv";
  given.key_base64 = SecretBytes::from_text("a2V5");
  auto saved = save_rc_stanza_to_file(path, "srv", given, [](std::string_view) { return false; });
  ASSERT_TRUE(saved.has_value()) << saved.error();
  EXPECT_TRUE(saved->empty());
  EXPECT_EQ(read_file(path), "[default]\n\n[srv]\nSPA_SERVER                  srv\nKEY_BASE64                  a2V5\n");
  EXPECT_EQ(mode_of(path), 0600u);

  // Again, with a new key: the user is asked and says no.
  given.key_base64 = SecretBytes::from_text("bmV3");
  std::vector<std::string> asked;
  saved = save_rc_stanza_to_file(path, "SRV", given, [&](std::string_view variable) {
    asked.emplace_back(variable);
    return false;
  });
  ASSERT_TRUE(saved.has_value());
  EXPECT_EQ(asked, (std::vector<std::string>{"KEY_BASE64"}));
  EXPECT_EQ(*saved, (std::vector<std::string>{"KEY_BASE64"}));
  EXPECT_EQ(read_file(path), "[default]\n[srv]\nKEY_BASE64                  a2V5\nSPA_SERVER                  srv\n");
}

TEST(RcLoader, SaveStanzaToMissingFileCreatesIt) {
  const test::TempDir home("sesame-rc");
  const std::string path = home.path() + "/rc";
  ClientSettings given;
  given.access = "tcp/22";
  ASSERT_TRUE(save_rc_stanza_to_file(path, "a", given, [](std::string_view) { return true; }).has_value());
  EXPECT_EQ(read_file(path), "\n[a]\nACCESS                      tcp/22\n");
}

}  // namespace
}  // namespace sesame::config
