// SPDX-License-Identifier: GPL-2.0-or-later
// The text helpers of rule_text.h.
#include "server/firewall/rule_text.h"

#include <algorithm>

namespace sesame::server::firewall {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find(separator, at), text.size());
    if (end > at) parts.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return parts;
}

std::optional<std::int64_t> rule_expiry(std::string_view rule) {
  const std::size_t at = rule.find(kExpireCommentPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view digits = rule.substr(at + kExpireCommentPrefix.size());
  digits = digits.substr(0, std::min(digits.find_first_not_of("0123456789"), digits.size()));
  return number_in<std::int64_t>(digits);
}

std::uint8_t protocol_number(std::string_view word) {
  if (word == "tcp" || word == "6") return 6;
  if (word == "udp" || word == "17") return 17;
  return 0;
}

std::string grant_key(const ExpiredGrant& grant) {
  return grant.source.to_string() + "/" + std::to_string(grant.protocol) + "/" + std::to_string(grant.port);
}

std::string first_line(std::string_view text, std::size_t max) {
  text = text.substr(0, std::min(text.find('\n'), text.size()));
  return std::string(text.substr(0, std::min(text.size(), max)));
}

std::string failure_text(std::string_view program, const std::vector<std::string>& args,
                         const CommandOutcome& outcome) {
  std::vector<std::string> argv{std::string(program)};
  argv.insert(argv.end(), args.begin(), args.end());
  return "`" + command_line(argv) + "` failed (exit " + std::to_string(outcome.exit_code) +
         "): " + first_line(outcome.output);
}

}  // namespace sesame::server::firewall
