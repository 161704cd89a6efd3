// SPDX-License-Identifier: GPL-2.0-or-later
// `sesame --key-gen --modern` and `sesamed --key-gen --modern` (docs/modern-mode.md): the lines to paste, a private key
// whose public half is the printed one, key files created 0600, a modern packet built from those keys in test mode,
// and the misuses refused with one line.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "spa/base64.h"
#include "spa/x25519.h"
#include "support/field_dump.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::test {
namespace {

// The private key's public half must be the public key printed beside it.
void expect_matching_pair(const std::string& private_b64, const std::string& public_b64) {
  const auto private_bytes = spa::base64_decode(private_b64);
  const auto public_bytes = spa::base64_decode(public_b64);
  ASSERT_TRUE(private_bytes && public_bytes);
  ASSERT_EQ(private_bytes->size(), 32u);
  ASSERT_EQ(public_bytes->size(), 32u);
  const auto derived = spa::x25519_public_key(SecretBytes(*private_bytes));
  ASSERT_TRUE(derived);
  EXPECT_TRUE(std::equal(derived->begin(), derived->end(), public_bytes->begin()));
}

class ModernKeys : public ::testing::Test {
 protected:
  ProcessResult run(std::vector<std::string> args) {
    return run_process(args, {.env = std::vector<std::string>{"HOME=" + dir_.path(), "PATH=/usr/bin:/bin"}});
  }
  TempDir dir_{"sesame-modern-keys-test"};
};

TEST_F(ModernKeys, BothSidesPrintAMatchingPairAsPastableLines) {
  const auto client = run({SESAME_CLIENT_PATH, "--key-gen", "--modern"});
  ASSERT_EQ(client.exit_status, 0) << client.output;
  EXPECT_EQ(std::count(client.output.begin(), client.output.end(), '\n'), 2) << client.output;
  expect_matching_pair(line_value(client.output, "MODERN_PRIVATE_KEY_BASE64"),
                       line_value(client.output, "MODERN_CLIENT_PUBLIC_KEY_BASE64"));
  const auto server = run({SESAMED_PATH, "--key-gen", "--modern"});
  ASSERT_EQ(server.exit_status, 0) << server.output;
  expect_matching_pair(line_value(server.output, "MODERN_SERVER_PRIVATE_KEY_BASE64"),
                       line_value(server.output, "MODERN_SERVER_PUBLIC_KEY_BASE64"));
  EXPECT_NE(run({SESAME_CLIENT_PATH, "--key-gen", "--modern"}).output, client.output) << "the same key twice";
}

TEST_F(ModernKeys, KeyFilesAreCreatedPrivate) {
  const std::string client_file = dir_.path() + "/client.keys";
  const auto client = run({SESAME_CLIENT_PATH, "-K", client_file, "--modern"});
  ASSERT_EQ(client.exit_status, 0) << client.output;
  const std::string server_file = dir_.path() + "/server.keys";
  const auto server = run({SESAMED_PATH, "--key-gen-file", server_file, "--modern"});
  ASSERT_EQ(server.exit_status, 0) << server.output;
  for (const auto& file : {client_file, server_file}) {
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
  std::ifstream keys(server_file);
  const std::string text((std::istreambuf_iterator<char>(keys)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("MODERN_SERVER_PRIVATE_KEY_BASE64: "), std::string::npos) << text;
}

TEST_F(ModernKeys, ATestModeKnockFromGeneratedKeysDecodesAndAsksForNoOtherKey) {
  const auto client = run({SESAME_CLIENT_PATH, "--key-gen", "--modern"});
  const auto server = run({SESAMED_PATH, "--key-gen", "--modern"});
  const std::string rc = dir_.write_file(
      "rc", "[gw]\nSPA_SERVER 127.0.0.1\nACCESS tcp/22\nALLOW_IP 192.0.2.9\nMODERN_PRIVATE_KEY_BASE64 " +
                line_value(client.output, "MODERN_PRIVATE_KEY_BASE64") + "\nMODERN_SERVER_PUBLIC_KEY_BASE64 " +
                line_value(server.output, "MODERN_SERVER_PUBLIC_KEY_BASE64") + "\n");
  ::chmod(rc.c_str(), 0600);
  // stdin is empty: a prompt for a Rijndael key would fail the run.
  const auto shown = run({SESAME_CLIENT_PATH, "--rc-file", rc, "-n", "gw", "-T", "--no-save-args"});
  ASSERT_EQ(shown.exit_status, 0) << shown.output;
  EXPECT_NE(shown.output.find("Message String: 192.0.2.9,tcp/22"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("Encryption: modern (X25519, chacha20-poly1305)"), std::string::npos) << shown.output;
}

TEST_F(ModernKeys, MisusesAreOneLineErrors) {
  const auto without_key_gen = run({SESAME_CLIENT_PATH, "--modern", "-A", "tcp/22", "-D", "127.0.0.1"});
  EXPECT_NE(without_key_gen.exit_status, 0);
  EXPECT_NE(without_key_gen.output.find("--modern needs --key-gen"), std::string::npos) << without_key_gen.output;
  const auto server_without = run({SESAMED_PATH, "--modern"});
  EXPECT_NE(server_without.exit_status, 0);
  EXPECT_NE(server_without.output.find("--modern needs --key-gen"), std::string::npos) << server_without.output;
  const auto with_qr = run({SESAMED_PATH, "--key-gen", "--modern", "--qr"});
  EXPECT_NE(with_qr.exit_status, 0);
  EXPECT_NE(with_qr.output.find("not with --modern"), std::string::npos) << with_qr.output;
  const std::string rc = dir_.write_file("rc", "[gw]\nMODERN_PRIVATE_KEY_BASE64 c2hvcnQ=\n");
  ::chmod(rc.c_str(), 0600);
  const auto bad_key = run({SESAME_CLIENT_PATH, "--rc-file", rc, "-n", "gw", "-A", "tcp/22", "-D", "127.0.0.1"});
  EXPECT_NE(bad_key.exit_status, 0);
  EXPECT_NE(bad_key.output.find("MODERN_PRIVATE_KEY_BASE64"), std::string::npos) << bad_key.output;
  EXPECT_EQ(bad_key.output.find("c2hvcnQ"), std::string::npos) << "the key value was echoed: " << bad_key.output;
}

}  // namespace
}  // namespace sesame::test
