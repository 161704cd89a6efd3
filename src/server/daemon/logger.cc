// SPDX-License-Identifier: GPL-2.0-or-later
// Logger: one write(2) per line, so lines from a busy daemon never interleave; syslog through the C library.
#include "server/daemon/logger.h"

#include <syslog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace sesame::server::daemon {
namespace {

int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return LOG_ERR;
    case LogLevel::kWarning:
      return LOG_WARNING;
    case LogLevel::kNotice:
      return LOG_NOTICE;
    case LogLevel::kInfo:
      return LOG_INFO;
    case LogLevel::kDebug:
      return LOG_DEBUG;
  }
  return LOG_INFO;
}

int syslog_facility(config::SyslogFacility facility) {
  switch (facility) {
    case config::SyslogFacility::kDaemon:
      return LOG_DAEMON;
    case config::SyslogFacility::kLocal0:
      return LOG_LOCAL0;
    case config::SyslogFacility::kLocal1:
      return LOG_LOCAL1;
    case config::SyslogFacility::kLocal2:
      return LOG_LOCAL2;
    case config::SyslogFacility::kLocal3:
      return LOG_LOCAL3;
    case config::SyslogFacility::kLocal4:
      return LOG_LOCAL4;
    case config::SyslogFacility::kLocal5:
      return LOG_LOCAL5;
    case config::SyslogFacility::kLocal6:
      return LOG_LOCAL6;
    case config::SyslogFacility::kLocal7:
      return LOG_LOCAL7;
  }
  return LOG_DAEMON;
}

// RFC 3339 UTC with milliseconds: what log collectors parse without configuration.
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms));
  return std::string(text, n) + millis;
}

}  // namespace

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "info";
}

Logger::Logger(LoggerOptions options) : options_(std::move(options)) {
  if (options_.to_syslog) openlog(options_.identity.c_str(), LOG_PID, syslog_facility(options_.facility));
}

Logger::~Logger() {
  if (options_.to_syslog) closelog();
}

void Logger::message(LogLevel level, std::string_view text) {
  if (!enabled(level)) return;
  if (!is_json()) return write(level, text);
  LogFields fields;
  fields["time"] = utc_now();
  fields["event"] = "log";
  fields["level"] = log_level_name(level);
  fields["msg"] = text;
  write(level, fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Logger::event(LogLevel level, std::string_view event, const LogFields& fields, std::string_view text) {
  if (!enabled(level)) return;
  if (!is_json()) return write(level, text);
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  if (!fields.contains("time") && !fields.contains("event") && !fields.contains("msg")) {
    // The same line as below, without copying every field into a second object first (grants are logged per
    // element, tens of thousands a second in a burst).
    const std::string body = fields.dump(-1, ' ', false, kReplace);  // "{...}" or "null" when empty
    std::string line = "{\"time\":\"" + utc_now() + "\",\"event\":" + LogFields(event).dump(-1, ' ', false, kReplace);
    if (fields.is_object() && body.size() > 2) {
      line += ',';
      line.append(body, 1, body.size() - 2);
    }
    line += ",\"msg\":";
    line += LogFields(text).dump(-1, ' ', false, kReplace);
    line += '}';
    return write(level, line);
  }
  LogFields line;
  line["time"] = utc_now();
  line["event"] = event;
  for (const auto& [key, value] : fields.items()) line[key] = value;
  line["msg"] = text;
  write(level, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Logger::write(LogLevel level, std::string_view line) {
  if (options_.to_syslog) syslog(syslog_priority(level), "%.*s", static_cast<int>(line.size()), line.data());
  if (options_.to_stderr && is_holding_) {
    held_.append(line);
    held_.push_back('\n');
  } else if (options_.to_stderr) {
    std::string buffer;
    buffer.reserve(line.size() + 1);
    buffer.append(line);
    buffer.push_back('\n');
    std::size_t done = 0;
    while (done < buffer.size()) {
      const ssize_t n = ::write(options_.stderr_fd, buffer.data() + done, buffer.size() - done);
      if (n <= 0) break;  // nowhere left to report it
      done += static_cast<std::size_t>(n);
    }
  }
}

void Logger::release() {
  is_holding_ = false;
  std::size_t done = 0;
  while (done < held_.size()) {
    const ssize_t n = ::write(options_.stderr_fd, held_.data() + done, held_.size() - done);
    if (n <= 0) break;  // nowhere left to report it
    done += static_cast<std::size_t>(n);
  }
  held_.clear();
}

}  // namespace sesame::server::daemon
