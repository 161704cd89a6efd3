// SPDX-License-Identifier: GPL-2.0-or-later
// Where the client's keys come from: options, base64, key files, prompts, and the identical-key refusal.
#include "client/key_input.h"

#include <gtest/gtest.h>

#include <map>

namespace sesame::client {
namespace {

struct Fixture {
  std::map<std::string, std::string> files;
  std::vector<std::string> prompts;
  std::function<Result<std::string>(const std::string&)> reader() {
    return [this](const std::string& path) -> Result<std::string> {
      if (!files.count(path)) return fail(ClientError{"cannot read " + path});
      return files[path];
    };
  }
  SecretReader asker(std::string answer) {
    return [this, answer](std::string_view prompt) -> Result<SecretBytes> {
      prompts.emplace_back(prompt);
      return SecretBytes::from_text(answer);
    };
  }
};

TEST(FindKeyInKeyFile, LastMatchingLineWins) {
  const std::string text =
      "# comment\n; other comment\n127.0.0.1: first\nserver: not-this\n  127.0.0.1:   =second\n127.0.0.10: no\n";
  auto key = find_key_in_key_file(text, "127.0.0.1");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->as_text(), "second");
  EXPECT_FALSE(find_key_in_key_file(text, "10.0.0.1"));
}

TEST(AcquireKeys, TextBeforeBase64BeforeFileBeforePrompt) {
  Fixture f;
  f.files["/keys"] = "server: from-file\n";
  config::ClientSettings s;
  s.key_file = "/keys";
  auto keys = acquire_keys(s, "server", f.reader(), f.asker("typed"));
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->encryption_key.as_text(), "from-file");
  s.key_base64 = SecretBytes::from_text("YmFzZTY0");  // "base64"
  keys = acquire_keys(s, "server", f.reader(), f.asker("typed"));
  EXPECT_EQ(keys->encryption_key.as_text(), "base64");
  s.key = SecretBytes::from_text("text");
  keys = acquire_keys(s, "server", f.reader(), f.asker("typed"));
  EXPECT_EQ(keys->encryption_key.as_text(), "text");
  EXPECT_TRUE(f.prompts.empty());
  EXPECT_TRUE(keys->hmac_key.empty());
}

TEST(AcquireKeys, PromptsWhenNothingIsGiven) {
  Fixture f;
  config::ClientSettings s;
  s.use_hmac = true;
  auto keys = acquire_keys(s, "server", f.reader(), f.asker("typed"));
  ASSERT_FALSE(keys);  // the same answer for both prompts: identical keys are refused
  EXPECT_EQ(f.prompts, (std::vector<std::string>{"Enter encryption key: ", "Enter HMAC key: "}));
  EXPECT_NE(keys.error().message.find("should not be identical"), std::string::npos);
}

TEST(AcquireKeys, BadBase64IsAnErrorWithoutTheValue) {
  Fixture f;
  config::ClientSettings s;
  s.key_base64 = SecretBytes::from_text("not*base64");
  auto keys = acquire_keys(s, "server", f.reader(), f.asker("x"));
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().message.find("not*base64"), std::string::npos);
}

TEST(AcquireKeys, MissingKeyFileEntryNamesTheDestination) {
  Fixture f;
  f.files["/keys"] = "other: k\n";
  config::ClientSettings s;
  s.key_file = "/keys";
  auto keys = acquire_keys(s, "server", f.reader(), f.asker("x"));
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().message, "Could not get key for IP: server from: /keys");
}

TEST(AcquireKeys, GpgWithoutSignerNeedsNoPassphrase) {
  Fixture f;
  config::ClientSettings s;
  s.use_gpg = true;
  s.gpg_recipient = "ABCD";
  auto keys = acquire_keys(s, "server", f.reader(), f.asker("x"));
  ASSERT_TRUE(keys);
  EXPECT_TRUE(keys->encryption_key.empty());
  EXPECT_TRUE(f.prompts.empty());
  s.gpg_signer = "EF01";
  keys = acquire_keys(s, "server", f.reader(), f.asker("x"));
  EXPECT_EQ(f.prompts, (std::vector<std::string>{"Enter passphrase for signing: "}));
}

}  // namespace
}  // namespace sesame::client
