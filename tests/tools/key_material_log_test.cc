// SPDX-License-Identifier: GPL-2.0-or-later
// No key material in any log (issue 11, style.md "Secrets"): sesamed, sesame and sesame-inspect are run with known
// test keys through grants, rejections (wrong key, bad HMAC, junk, a replay), config errors on key lines (at start,
// on SIGHUP, in --exit-parse-config and in the client's rc file), -D, --fw-list and the SIGUSR1 counters; every
// line they print and every file they write is searched for each key as raw bytes, base64 (padded or not), hex
// (either case) and the first 16 characters of those encodings.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "spa/base64.h"
#include "spa/packet_codec.h"
#include "spa/random.h"
#include "support/sesamed_process.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "support/test_vectors.h"

#ifndef SESAME_CLIENT_PATH
#error "SESAME_CLIENT_PATH must name the built sesame client"
#endif

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> key_bytes(std::uint32_t seed, std::size_t size) {
  std::mt19937 random(seed);
  std::vector<std::uint8_t> bytes(size);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
  return bytes;
}

std::string text_of(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

std::string hex(const std::vector<std::uint8_t>& bytes, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (const std::uint8_t byte : bytes) {
    out += digits[byte >> 4];
    out += digits[byte & 0xf];
  }
  return out;
}

// Every form in which one key could show up in a log.
std::vector<std::string> leak_forms(const std::vector<std::uint8_t>& key) {
  std::string base64 = spa::base64_encode_padded(key);
  std::vector<std::string> forms{text_of(key), base64, hex(key, false), hex(key, true)};
  while (!base64.empty() && base64.back() == '=') base64.pop_back();
  forms.push_back(base64);
  for (const std::string& form : {spa::base64_encode_padded(key), hex(key, false), hex(key, true), text_of(key)})
    forms.push_back(form.substr(0, 16));
  return forms;
}

// The keys of the test: stanza 1 in base64 (random bytes), stanza 2 as plain text.
struct TestKeys {
  std::vector<std::uint8_t> key1 = key_bytes(11, 32);
  std::vector<std::uint8_t> hmac1 = key_bytes(12, 64);
  std::string key2 = "k2-plain-encryption-key-leakchk";
  std::string hmac2 = "h2-plain-hmac-key-leakcheck-0123456789";

  std::string b64(const std::vector<std::uint8_t>& bytes) const { return spa::base64_encode_padded(bytes); }

  std::string access_conf() const {
    return "SOURCE ANY\nKEY_BASE64 " + b64(key1) + "\nHMAC_KEY_BASE64 " + b64(hmac1) +
           "\nOPEN_PORTS tcp/22\n\nSOURCE ANY\nKEY " + key2 + "\nHMAC_KEY " + hmac2 + "\nOPEN_PORTS tcp/80\n";
  }
  // Key lines that are wrong in every way that might tempt a message to quote them.
  std::string broken_access_conf() const {
    return "SOURCE ANY\nKEY_BASE64 " + b64(key1) + "!!\nHMAC_KEY_BASE64 *" + b64(hmac1) + "\nKEY_BASE64X " + b64(key1) +
           "\nHMAC_KEY=" + hmac2 + "\nOPEN_PORTS tcp/22\n\nSOURCE ANY\nKEY " + key2 + "\nHMAC_KEY_BASE64 " + hmac2 +
           "\nKEY_BASE64 " + key2 + "\n";
  }

  std::vector<std::string> forms() const {
    std::vector<std::string> all;
    for (const auto& key : {key1, hmac1, bytes_of(key2), bytes_of(hmac2)}) {
      const auto some = leak_forms(key);
      all.insert(all.end(), some.begin(), some.end());
    }
    return all;
  }

  std::string packet(const std::vector<std::uint8_t>& key, const std::vector<std::uint8_t>& hmac_key,
                     const std::string& access) const {
    return make_knock(key, hmac_key, "leakcheck", access);
  }
};

class KeyMaterialLog : public ::testing::Test {
 protected:
  void SetUp() override {
    if (sesamed_path().empty()) GTEST_SKIP() << "SKIPPED: no sesamed binary";
    forms_ = keys_.forms();
  }

  // Adds `text` (what `source` printed or wrote) to what is searched.
  void collect(const std::string& source, const std::string& text) { logs_.push_back({source, text}); }

  // Every file under dir_ that the programs wrote (their inputs, which hold the keys on purpose, excepted).
  void collect_written_files(const std::vector<std::string>& inputs) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (!entry.is_regular_file()) continue;
      const std::string path = entry.path().string();
      if (std::find(inputs.begin(), inputs.end(), path) != inputs.end()) continue;
      collect(path, read_file(path));
    }
  }

  void expect_no_key_material() const {
    ASSERT_FALSE(logs_.empty());
    std::size_t bytes = 0;
    for (const auto& [source, text] : logs_) {
      bytes += text.size();
      for (std::size_t i = 0; i < forms_.size(); ++i)
        EXPECT_EQ(text.find(forms_[i]), std::string::npos) << source << " holds key material (form " << i << "):\n"
                                                           << text;
    }
    std::cout << "[ info     ] searched " << logs_.size() << " outputs and files, " << bytes << " bytes, for "
              << forms_.size() << " forms of 4 keys\n";
  }

  ProcessResult run(std::vector<std::string> argv, const std::vector<std::string>& env = {}) {
    ProcessResult result = run_process(argv, {.env = env.empty() ? std::nullopt : std::optional(env), .timeout = 20s});
    std::string name;
    for (const auto& arg : argv) name += arg.substr(0, 40) + " ";
    collect(name, result.output);
    return result;
  }

  static std::vector<std::string> with_config(const SesamedFiles& files, const std::vector<std::string>& more) {
    std::vector<std::string> argv{sesamed_path()};
    const auto config = files.config_args();
    argv.insert(argv.end(), config.begin(), config.end());
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
  }

  TempDir dir_{"sesame-key-leak"};
  TestKeys keys_;
  std::vector<std::string> forms_;
  std::vector<std::pair<std::string, std::string>> logs_;
};

TEST_F(KeyMaterialLog, NoKeyInAnyLogOrFileOfServerClientAndInspector) {
  // A daemon in test mode: two grants, five rejections of different kinds, counters, a reload that fails on its
  // key lines, and a clean stop.
  std::vector<std::string> inputs;
  {
    SesamedProcess daemon(dir_, {.access_conf = keys_.access_conf(), .args = {"-v", "-v"}});
    const SesamedFiles& files = daemon.files();
    inputs = {files.conf, files.access};
    const std::string good1 = keys_.packet(keys_.key1, keys_.hmac1, "10.0.0.1,tcp/22");
    std::string bad_hmac = keys_.packet(keys_.key1, keys_.hmac1, "10.0.0.2,tcp/22");
    bad_hmac.back() = bad_hmac.back() == 'A' ? 'B' : 'A';
    const std::vector<std::string> packets{
        good1,
        keys_.packet(bytes_of(keys_.key2), bytes_of(keys_.hmac2), "10.0.0.3,tcp/80"),
        keys_.packet(key_bytes(99, 32), keys_.hmac1, "10.0.0.4,tcp/22"),  // right HMAC key, wrong key
        bad_hmac,
        keys_.packet(keys_.key1, keys_.hmac1, "10.0.0.5,tcp/80"),  // a port the stanza does not open
        std::string(200, 'Q'),
        good1,  // a replay
    };
    ASSERT_EQ(send_udp(daemon.port(), packets), packets.size());
    EXPECT_EQ(daemon.wait_for_events("grant", 2).size(), 2u) << daemon.output();
    EXPECT_GE(daemon.wait_for_events("reject", 5).size(), 5u) << daemon.output();
    EXPECT_TRUE(daemon.counters().has_value()) << daemon.output();

    rewrite_access_conf(files, keys_.broken_access_conf());
    ASSERT_TRUE(daemon.send_signal(SIGHUP));
    bool refused = false;
    for (int i = 0; i < 400 && !refused; ++i) {
      for (const auto& event : daemon.events("log"))
        if (event.value("msg", "").starts_with("Reload failed")) refused = true;
      if (!refused) std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(refused) << daemon.output();
    EXPECT_NE(daemon.output().find(files.access + ":3:"), std::string::npos) << daemon.output();

    // The one-shot actions on the same files: a broken access.conf, then a good one for -D and --fw-list.
    const ProcessResult parse = run(with_config(files, {"--exit-parse-config"}));
    EXPECT_NE(parse.exit_status, 0) << parse.output;
    EXPECT_NE(parse.output.find(files.access + ":2:"), std::string::npos) << parse.output;
    run(with_config(files, {"-t", "-f"}));  // a start that fails on the same errors
    rewrite_access_conf(files, keys_.access_conf());
    const ProcessResult dump = run(with_config(files, {"-D"}));
    EXPECT_EQ(dump.exit_status, 0) << dump.output;
    EXPECT_NE(dump.output.find("<see the access.conf file>"), std::string::npos) << dump.output;
    run(with_config(files, {"--fw-list", "--fw-type", "none"}));

    ASSERT_TRUE(daemon.send_signal(SIGTERM));
    EXPECT_TRUE(daemon.wait_exit().has_value());
    collect("sesamed log " + files.log, daemon.output());
  }

  // The client: a knock with verbose output, --test, a wrong HMAC key and an rc file with broken key lines.
  const std::string home = dir_.path() + "/home";
  std::filesystem::create_directories(home);
  const std::vector<std::string> env{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C", "LOGNAME=leakcheck"};
  const std::vector<std::string> knock{SESAME_CLIENT_PATH,
                                       "--no-rc-file",
                                       "--no-save-args",
                                       "-A",
                                       "tcp/22",
                                       "-a",
                                       "10.0.0.9",
                                       "-D",
                                       "127.0.0.1",
                                       "-p",
                                       std::to_string(free_udp_port()),
                                       "--key-base64-rijndael",
                                       keys_.b64(keys_.key1),
                                       "--key-base64-hmac",
                                       keys_.b64(keys_.hmac1),
                                       "-v"};
  EXPECT_EQ(run(knock, env).exit_status, 0);
  auto test_mode = knock;
  test_mode.push_back("--test");
  EXPECT_EQ(run(test_mode, env).exit_status, 0);
  auto bad_key = knock;
  bad_key[14] = keys_.b64(keys_.hmac1) + "!!";  // --key-base64-hmac
  EXPECT_NE(run(bad_key, env).exit_status, 0);
  const std::string rc =
      dir_.write_file("home/.fwknoprc", "[default]\n\n[broken]\nSPA_SERVER 127.0.0.1\nKEY_BASE64 " +
                                            keys_.b64(keys_.key1) + "!!\nHMAC_KEY_BASE64 *" + keys_.b64(keys_.hmac1) +
                                            "\nKEY_BASE64X " + keys_.key2 + "\nHMAC_KEY_BASE64 " + keys_.hmac2 + "\n");
  inputs.push_back(rc);
  EXPECT_NE(run({SESAME_CLIENT_PATH, "--rc-file", rc, "-n", "broken", "--no-save-args", "-A", "tcp/22", "-a",
                 "10.0.0.9", "--test"},
                env)
                .exit_status,
            0);

  // sesame-inspect: a valid packet, then the same with the wrong HMAC key and with the wrong key.
  const std::string packet = dir_.write_file("packet.txt", keys_.packet(keys_.key1, keys_.hmac1, "10.0.0.1,tcp/22"));
  inputs.push_back(packet);
  EXPECT_EQ(run({SESAME_INSPECT_PATH, "--key-base64-rijndael", keys_.b64(keys_.key1), "--key-base64-hmac",
                 keys_.b64(keys_.hmac1), packet})
                .exit_status,
            0);
  EXPECT_EQ(run({SESAME_INSPECT_PATH, "--key-base64-rijndael", keys_.b64(keys_.key1), "--key-base64-hmac",
                 keys_.b64(key_bytes(98, 64)), packet})
                .exit_status,
            1);
  EXPECT_EQ(
      run({SESAME_INSPECT_PATH, "--key-rijndael", keys_.key2, "--key-base64-hmac", keys_.b64(keys_.hmac1), packet})
          .exit_status,
      1);

  collect_written_files(inputs);
  expect_no_key_material();
}

// The check itself: a log line that quotes a key in any of the searched forms is caught.
TEST_F(KeyMaterialLog, TheSearchFindsEachFormOfAKey) {
  const auto forms = leak_forms(keys_.hmac1);
  for (const std::string& form : forms) {
    const std::string line = "access.conf:3: HMAC_KEY_BASE64: \"" + form + "\" is not valid";
    EXPECT_TRUE(std::any_of(forms_.begin(), forms_.end(),
                            [&](const std::string& f) { return line.find(f) != std::string::npos; }));
  }
  EXPECT_FALSE(std::any_of(forms_.begin(), forms_.end(), [](const std::string& f) {
    return std::string("access.conf:3: HMAC_KEY_BASE64: not valid base64").find(f) != std::string::npos;
  }));
}

}  // namespace
}  // namespace sesame::test
