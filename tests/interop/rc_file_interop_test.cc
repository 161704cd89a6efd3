// SPDX-License-Identifier: GPL-2.0-or-later
// The rc file against the real fwknop 2.6.x client: it reads the stanzas sesame saves, and its own
// --save-rc-stanza writes byte for byte what config::save_rc_stanza writes from the same file and options.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "config/rc_file.h"
#include "config/rc_settings.h"
#include "config/rc_writer.h"
#include "spa/base64.h"
#include "spa/packet_codec.h"
#include "support/field_dump.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using config::ClientSettings;

constexpr std::string_view kKeyBase64 = "wRzJkFx1n5bJ0mX3d3cfR6C9w1+7kq2lqA0rYkD3Jm8=";
constexpr std::string_view kHmacKeyBase64 =
    "QmGz0c4Yc1b6y5D3V2mE9c8sJzZ0n1Xw7bq8fKp2r3T4u5V6w7X8y9Z0a1B2c3D4e5F6g7H8i9J0k1L2m3N4oA==";
constexpr std::string_view kOtherKeyBase64 = "b3RoZXIga2V5IGZvciB0aGUgc2Vjb25kIHNhdmUgISE=";
constexpr std::string_view kOtherHmacKeyBase64 = "YW5vdGhlciBobWFjIGtleSBmb3IgdGhlIHNlY29uZCBzYXZl";

std::string fwknop_path() {
  if (const char* env = std::getenv("SESAME_FWKNOP"); env != nullptr && *env != '\0') return find_executable({env});
  return find_executable({"/usr/bin/fwknop", "/usr/local/bin/fwknop", "/bin/fwknop"});
}

class RcFileInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    fwknop_ = fwknop_path();
    if (fwknop_.empty()) GTEST_SKIP() << "SKIPPED: fwknop client not installed (or SESAME_FWKNOP not executable)";
  }

  // fwknop with a scratch HOME and a minimal environment; `args` follow the binary.
  ProcessResult run(const std::vector<std::string>& args, std::optional<std::string> stdin_text = std::nullopt) {
    std::vector<std::string> argv{fwknop_};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options{.env = std::vector<std::string>{"HOME=" + home_.path(), "PATH=/usr/bin:/bin", "LC_ALL=C"},
                           .stdin_text = std::move(stdin_text),
                           .timeout = std::chrono::seconds(20)};
    return run_process(argv, options);
  }

  std::string fwknop_;
  TempDir home_{"sesame-rc-interop"};
};

spa::Keys keys_of(std::string_view key_base64, std::string_view hmac_key_base64, spa::DigestType hmac_type) {
  spa::Keys keys;
  keys.encryption_key = SecretBytes(*spa::base64_decode(key_base64));
  keys.hmac_key = SecretBytes(*spa::base64_decode(hmac_key_base64));
  keys.hmac_type = hmac_type;
  return keys;
}

TEST_F(RcFileInterop, FwknopBuildsItsPacketFromAStanzaSesameSaved) {
  ClientSettings given;
  given.access = "tcp/22";
  given.allow_ip = "1.2.3.4";
  given.spa_server = "127.0.0.1";
  given.spa_server_port = 62202;
  given.spa_server_proto = config::SpaProtocol::kTcp;
  given.digest_type = spa::DigestType::kSha512;
  given.hmac_digest_type = spa::DigestType::kSha384;
  given.encryption_mode = spa::EncryptionMode::kCbc;
  given.fw_timeout_s = 30;
  given.time_offset_s = -120;
  given.spoof_user = "alice";
  given.key_base64 = SecretBytes::from_text(kKeyBase64);
  given.hmac_key_base64 = SecretBytes::from_text(kHmacKeyBase64);
  given.use_hmac = true;
  given.no_save_args = true;
  auto saved =
      config::save_rc_stanza(config::initial_rc_file_text(), "MyServer", given, [](std::string_view) { return false; });
  ASSERT_TRUE(saved.has_value()) << saved.error();
  const std::string rc = home_.write_file("rc", saved->text);
  const std::string packet_file = home_.path() + "/packet";

  // No --no-save-args: NO_SAVE_ARGS Y from the stanza must keep ~/.fwknop.run from being written.
  const auto now = std::chrono::system_clock::now();
  const ProcessResult result = run({"--rc-file", rc, "-n", "myserver", "-T", "-v", "-B", packet_file});
  ASSERT_EQ(result.exit_status, 0) << result.output;
  EXPECT_FALSE(std::filesystem::exists(home_.path() + "/.fwknop.run"));
  const FieldMap fields = parse_field_dump(result.output);
  EXPECT_EQ(fields.at("Username"), "alice");
  EXPECT_EQ(fields.at("Message Type"), "3 (Client timeout access msg)");
  EXPECT_EQ(fields.at("Message String"), "1.2.3.4,tcp/22");
  EXPECT_EQ(fields.at("Client Timeout"), "30");
  EXPECT_EQ(fields.at("Digest Type"), "5 (SHA512)");
  EXPECT_EQ(fields.at("HMAC Type"), "4 (SHA384)");
  EXPECT_EQ(fields.at("Encryption Mode"), "2 (CBC)");
  const auto expected_timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() - 120;
  EXPECT_NEAR(std::stoll(fields.at("Timestamp")), expected_timestamp, 5);
  EXPECT_NE(result.output.find("protocol: tcp"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("destination port: 62202"), std::string::npos);
  EXPECT_NE(result.output.find("IP/host: 127.0.0.1"), std::string::npos);

  // The packet authenticates and decrypts with the keys sesame reads from the same file.
  auto read = config::settings_from_rc(config::parse_rc_file(rc, saved->text), "MYSERVER");
  ASSERT_TRUE(read.has_value());
  std::string packet = read_file(packet_file);
  if (!packet.empty() && packet.back() == '\n') packet.pop_back();
  auto decoded = spa::decode(
      packet, keys_of(read->key_base64->as_text(), read->hmac_key_base64->as_text(), *read->hmac_digest_type));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->message.message, "1.2.3.4,tcp/22");
  EXPECT_EQ(decoded->message.username, "alice");
  EXPECT_EQ(decoded->message.client_timeout, 30u);
}

TEST_F(RcFileInterop, SaveRcStanzaWritesWhatFwknopWrites) {
  const std::string rc = home_.path() + "/rc";
  // fwknop creates its rc file (with its own template) on first use.
  ASSERT_EQ(run({"--rc-file", rc, "--no-save-args", "-V"}).exit_status, 0);
  const std::string created = read_file(rc);
  ASSERT_NE(created.find("[default]"), std::string::npos);

  const ProcessResult first = run({"--rc-file",
                                   rc,
                                   "-n",
                                   "Stanza1",
                                   "--save-rc-stanza",
                                   "-T",
                                   "--no-save-args",
                                   "-A",
                                   "tcp/22,udp/53",
                                   "-a",
                                   "1.2.3.4",
                                   "-D",
                                   "127.0.0.1",
                                   "--key-base64-rijndael",
                                   std::string(kKeyBase64),
                                   "--key-base64-hmac",
                                   std::string(kHmacKeyBase64),
                                   "-m",
                                   "sha512",
                                   "--hmac-digest-type",
                                   "sha384",
                                   "-f",
                                   "30",
                                   "--time-offset-minus",
                                   "60",
                                   "-p",
                                   "62202",
                                   "-P",
                                   "tcp",
                                   "-U",
                                   "alice",
                                   "-r",
                                   "-v"});
  ASSERT_EQ(first.exit_status, 0) << first.output;
  ClientSettings given;  // the same command line, with the implications fwknop records
  given.access = "tcp/22,udp/53";
  given.allow_ip = "1.2.3.4";
  given.spa_server = "127.0.0.1";
  given.key_base64 = SecretBytes::from_text(kKeyBase64);
  given.hmac_key_base64 = SecretBytes::from_text(kHmacKeyBase64);
  given.use_hmac = true;
  given.digest_type = spa::DigestType::kSha512;
  given.hmac_digest_type = spa::DigestType::kSha384;
  given.fw_timeout_s = 30;
  given.time_offset_s = -60;
  given.spa_server_port = 62202;
  given.spa_server_proto = config::SpaProtocol::kTcp;
  given.spoof_user = "alice";
  given.rand_port = true;
  given.verbose = 1;
  given.no_save_args = true;
  auto ours = config::save_rc_stanza(created, "Stanza1", given, [](std::string_view) { return false; });
  ASSERT_TRUE(ours.has_value()) << ours.error();
  const std::string after_first = read_file(rc);
  EXPECT_EQ(ours->text, after_first);

  // Again on the now existing stanza, with new keys: "n" keeps the old KEY_BASE64, "y" replaces HMAC_KEY_BASE64.
  const ProcessResult second =
      run({"--rc-file", rc, "-n", "stanza1", "--save-rc-stanza", "-T", "--no-save-args", "-A", "tcp/23", "-a",
           "1.2.3.4", "-D", "127.0.0.1", "--key-base64-rijndael", std::string(kOtherKeyBase64), "--key-base64-hmac",
           std::string(kOtherHmacKeyBase64)},
          "n\ny\n");
  ASSERT_EQ(second.exit_status, 0) << second.output;
  EXPECT_NE(second.output.find("Variable 'KEY_BASE64' found in stanza 'Stanza1'. Overwrite [N/y] ?"), std::string::npos)
      << second.output;
  ClientSettings again;
  again.access = "tcp/23";
  again.allow_ip = "1.2.3.4";
  again.spa_server = "127.0.0.1";
  again.key_base64 = SecretBytes::from_text(kOtherKeyBase64);
  again.hmac_key_base64 = SecretBytes::from_text(kOtherHmacKeyBase64);
  again.use_hmac = true;
  again.no_save_args = true;
  std::vector<std::string> asked;
  auto ours_again = config::save_rc_stanza(after_first, "stanza1", again, [&](std::string_view variable) {
    asked.emplace_back(variable);
    return variable == "HMAC_KEY_BASE64";
  });
  ASSERT_TRUE(ours_again.has_value());
  EXPECT_EQ(asked, (std::vector<std::string>{"KEY_BASE64", "HMAC_KEY_BASE64"}));
  EXPECT_EQ(ours_again->text, read_file(rc));
}

}  // namespace
}  // namespace sesame::test
