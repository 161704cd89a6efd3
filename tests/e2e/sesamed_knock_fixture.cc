// SPDX-License-Identifier: GPL-2.0-or-later
// SesamedKnockFixture: keys from `sesame --key-gen`, configs in the test directory, knocks and probes.
#include "e2e/sesamed_knock_fixture.h"

#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "support/field_dump.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSesame = SESAME_CLIENT_PATH;
constexpr const char* kSesamed = SESAMED_PATH;

}  // namespace

double seconds(SesamedKnockFixture::Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

void SesamedKnockFixture::SetUp() {
  std::string why;
  if (!NetnsPair::available(&why)) GTEST_SKIP() << "SKIPPED: needs root and network namespaces: " << why;
  ASSERT_TRUE(std::filesystem::exists(kSesame)) << kSesame;
  ASSERT_TRUE(std::filesystem::exists(kSesamed)) << kSesamed;
  home_ = dir_.path() + "/home";
  run_dir_ = dir_.path() + "/run";
  ASSERT_EQ(::mkdir(home_.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(run_dir_.c_str(), 0700), 0);
  const ProcessResult keys = run_process(
      {kSesame, "--key-gen"}, {.env = std::vector<std::string>{"HOME=" + home_, "LC_ALL=C"}, .timeout = 10s});
  ASSERT_EQ(keys.exit_status, 0) << keys.output;
  key_ = line_value(keys.output, "KEY_BASE64");
  hmac_key_ = line_value(keys.output, "HMAC_KEY_BASE64");
  ASSERT_FALSE(key_.empty() || hmac_key_.empty()) << keys.output;
  net_ = std::make_unique<NetnsPair>();
}

void SesamedKnockFixture::TearDown() {
  sesamed_.reset();
  service_.reset();
  net_.reset();
}

void SesamedKnockFixture::write_configs(const std::string& extra, const std::string& stanzas) {
  conf_ = dir_.write_file("sesamed.conf", "ENABLE_UDP_SERVER N\nPCAP_INTF " + net_->server_interface() +
                                              "\nFWKNOP_RUN_DIR " + run_dir_ + "\nFWKNOP_PID_FILE " + run_dir_ +
                                              "/sesamed.pid\nDIGEST_FILE " + run_dir_ + "/digest.cache\n" + extra);
  access_ = dir_.write_file("access.conf", stanzas);
}

std::string SesamedKnockFixture::stanza(const std::string& extra) const {
  return "SOURCE ANY\nREQUIRE_SOURCE_ADDRESS Y\nKEY_BASE64 " + key_ + "\nHMAC_KEY_BASE64 " + hmac_key_ + "\n" + extra;
}

void SesamedKnockFixture::start_sesamed() {
  sesamed_.reset();
  sesamed_ = std::make_unique<NetnsSesamed>(
      net_->server_ns(), std::vector<std::string>{"-c", conf_, "-a", access_, "--replay-log", run_dir_ + "/replay.log"},
      dir_.path() + "/sesamed.log");
}

ProcessResult SesamedKnockFixture::knock(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{kSesame,  "--no-rc-file",    "--no-save-args",        "-a", net_->client_ip(),
                                "-D",     net_->server_ip(), "--key-base64-rijndael", key_, "--key-base64-hmac",
                                hmac_key_};
  argv.insert(argv.end(), args.begin(), args.end());
  return NetnsPair::run_in(
      net_->client_ns(), argv,
      {.env = std::vector<std::string>{"HOME=" + home_, "PATH=/usr/bin:/bin", "LC_ALL=C", "LOGNAME=e2e"},
       .timeout = 10s});
}

bool SesamedKnockFixture::answers(const Target& target, const std::string& source_ip,
                                  std::chrono::milliseconds timeout) const {
  std::string line;
  const bool answered = tcp_answers(net_->client_ns(), source_ip, target.ip, target.port, timeout, &line);
  if (answered) {
    EXPECT_EQ(line, target.greeting) << target.name();
  }
  return answered;
}

std::optional<SesamedKnockFixture::Clock::duration> SesamedKnockFixture::wait_until(bool open, const Target& target,
                                                                                    Clock::duration limit) const {
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    const auto probe = Clock::now();
    if (answers(target, net_->client_ip(), kProbeTimeout) == open) return probe - start;
    std::this_thread::sleep_for(50ms);
  }
  return std::nullopt;
}

std::string SesamedKnockFixture::in_server(const std::vector<std::string>& argv) const {
  return NetnsPair::run_in(net_->server_ns(), argv).output;
}

}  // namespace sesame::test
