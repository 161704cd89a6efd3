// SPDX-License-Identifier: GPL-2.0-or-later
// EventReporter through a real Logger writing to a file: JSON events carry the fields log pipelines rely on, text
// lines keep fwknopd's phrases, and reject lines are rate limited.
#include "server/daemon/event_reporter.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/temp_dir.h"

namespace sesame::server::daemon {
namespace {

class LogFile {
 public:
  LogFile() : path_(dir_.path() + "/log"), fd_(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600)) {}
  ~LogFile() { ::close(fd_); }
  LoggerOptions options(config::LogFormat format, int verbosity = 0) const {
    return LoggerOptions{.to_stderr = true,
                         .to_syslog = false,
                         .format = format,
                         .verbosity = verbosity,
                         .identity = "test",
                         .facility = config::SyslogFacility::kDaemon,
                         .stderr_fd = fd_};
  }
  std::vector<std::string> lines() const {
    std::ifstream in(path_);
    std::vector<std::string> result;
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
  }

 private:
  test::TempDir dir_;
  std::string path_;
  int fd_;
};

CapturedPacket packet_from(const char* source) {
  CapturedPacket packet;
  packet.source = *config::IpAddress::parse(source);
  packet.payload = "payload";
  return packet;
}

AccessRequest request_for(const char* allow_ip) {
  AccessRequest request;
  request.allow_ip = *config::IpAddress::parse(allow_ip);
  request.stanza_index = 1;
  request.ports = {{config::Protocol::kTcp, 22}, {config::Protocol::kUdp, 53}};
  request.timeout = std::chrono::seconds(30);
  return request;
}

TEST(EventReporter, JsonGrantOnePerPortWithTestFlag) {
  LogFile file;
  Logger logger(file.options(config::LogFormat::kJson));
  EventReporter reporter(logger);
  reporter.grant(request_for("10.0.0.2"), "nftables", true, 1000);
  const auto lines = file.lines();
  ASSERT_EQ(lines.size(), 2u);
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["event"], "grant");
  EXPECT_EQ(first["src"], "10.0.0.2");
  EXPECT_EQ(first["stanza"], 2);
  EXPECT_EQ(first["proto"], "tcp");
  EXPECT_EQ(first["port"], 22);
  EXPECT_EQ(first["timeout"], 30);
  EXPECT_EQ(first["test"], true);
  EXPECT_TRUE(first.contains("time"));
  EXPECT_EQ(nlohmann::json::parse(lines[1])["proto"], "udp");
}

TEST(EventReporter, JsonCycleIsItsOwnEventNotACommandMessage) {
  LogFile file;
  Logger logger(file.options(config::LogFormat::kJson));
  EventReporter reporter(logger);
  reporter.cycle(request_for("10.0.0.2"), "ipset add knocked 10.0.0.2,tcp:22", false);
  const auto lines = file.lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto cycle = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(cycle["event"], "cycle");
  EXPECT_EQ(cycle["src"], "10.0.0.2");
  EXPECT_EQ(cycle["stanza"], 2);
  EXPECT_EQ(cycle["proto"], "tcp");
  EXPECT_EQ(cycle["port"], 22);
  EXPECT_EQ(cycle["command"], "ipset add knocked 10.0.0.2,tcp:22");
  EXPECT_FALSE(cycle.contains("test"));
}

TEST(EventReporter, JsonRejectNamesReasonAndSource) {
  LogFile file;
  Logger logger(file.options(config::LogFormat::kJson));
  EventReporter reporter(logger);
  reporter.reject(DropReason::kHmac, 0, packet_from("192.0.2.7"), 1000);
  reporter.reject(DropReason::kReplay, std::nullopt, packet_from("2001:db8::1"), 1000);
  const auto lines = file.lines();
  ASSERT_EQ(lines.size(), 2u);
  const auto hmac = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(hmac["event"], "reject");
  EXPECT_EQ(hmac["reason"], "hmac");
  EXPECT_EQ(hmac["src"], "192.0.2.7");
  EXPECT_EQ(hmac["stanza"], 1);
  EXPECT_EQ(nlohmann::json::parse(lines[1])["src"], "2001:db8::1");
}

TEST(EventReporter, TextLinesUseFwknopdPhrases) {
  LogFile file;
  Logger logger(file.options(config::LogFormat::kText));
  EventReporter reporter(logger);
  reporter.reject(DropReason::kSource, std::nullopt, packet_from("192.0.2.7"), 1000);
  reporter.reject(DropReason::kDeniedPort, 2, packet_from("192.0.2.7"), 1000);
  reporter.reject(DropReason::kTooShort, std::nullopt, packet_from("192.0.2.7"), 1000);  // debug only
  const auto lines = file.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "[192.0.2.7] No access data found for source IP: 192.0.2.7");
  EXPECT_EQ(lines[1], "[192.0.2.7] (stanza #3) One or more requested protocol/ports was denied per access.conf.");
}

TEST(EventReporter, RejectsAreRateLimitedPerSecondAndSummarized) {
  LogFile file;
  Logger logger(file.options(config::LogFormat::kJson));
  EventReporter reporter(logger, 5);
  for (int i = 0; i < 1000; ++i) reporter.reject(DropReason::kHmac, 0, packet_from("192.0.2.7"), 1000);
  reporter.reject(DropReason::kHmac, 0, packet_from("192.0.2.7"), 1001);  // a new second, a new budget
  reporter.summarize_suppressed();
  reporter.summarize_suppressed();  // nothing more to say
  const auto lines = file.lines();
  ASSERT_EQ(lines.size(), 7u);
  const auto summary = nlohmann::json::parse(lines.back());
  EXPECT_EQ(summary["event"], "reject_summary");
  EXPECT_EQ(summary["suppressed"], 995);
}

TEST(EventReporter, DebugLinesNeedVerbose) {
  LogFile quiet_file;
  Logger quiet(quiet_file.options(config::LogFormat::kText, 0));
  quiet.message(LogLevel::kDebug, "hidden");
  quiet.message(LogLevel::kInfo, "shown");
  EXPECT_EQ(quiet_file.lines(), std::vector<std::string>{"shown"});
  LogFile verbose_file;
  Logger verbose(verbose_file.options(config::LogFormat::kText, 1));
  verbose.message(LogLevel::kDebug, "now shown");
  EXPECT_EQ(verbose_file.lines(), std::vector<std::string>{"now shown"});
}

}  // namespace
}  // namespace sesame::server::daemon
