// SPDX-License-Identifier: GPL-2.0-or-later
// Logger: where sesamed's log lines go (stderr with -f, syslog otherwise or with --syslog-enable) and in which form:
// fwknopd's text lines, or with LOG_FORMAT json one JSON object per line with at least "event", for log pipelines.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "config/server_config.h"

namespace sesame::server::daemon {

// syslog's priorities, most severe first.
enum class LogLevel { kError, kWarning, kNotice, kInfo, kDebug };

struct LoggerOptions {
  bool to_stderr = true;
  bool to_syslog = false;
  config::LogFormat format = config::LogFormat::kText;
  int verbosity = 0;  // debug lines only from -v on
  std::string identity = "sesamed";
  config::SyslogFacility facility = config::SyslogFacility::kDaemon;
  int stderr_fd = 2;  // tests point it elsewhere
};

using LogFields = nlohmann::ordered_json;

class Logger {
 public:
  explicit Logger(LoggerOptions options);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool enabled(LogLevel level) const { return level != LogLevel::kDebug || options_.verbosity > 0; }
  bool is_json() const { return options_.format == config::LogFormat::kJson; }

  // A plain message: the text as it is, or {"event":"log","level":...,"msg":text}.
  void message(LogLevel level, std::string_view text);
  // A structured event: the text line, or {"time":...,"event":event,<fields>...,"msg":text}.
  void event(LogLevel level, std::string_view event, const LogFields& fields, std::string_view text);
  // Between hold() and release(), stderr lines are collected and written with one write(): a burst of thousands
  // of grant events then costs one system call, not one each. Syslog still gets one call per line.
  void hold() { is_holding_ = true; }
  void release();

 private:
  void write(LogLevel level, std::string_view line);

  LoggerOptions options_;
  bool is_holding_ = false;
  std::string held_;  // stderr lines waiting for release()
};

std::string_view log_level_name(LogLevel level);

}  // namespace sesame::server::daemon
