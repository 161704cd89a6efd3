// SPDX-License-Identifier: GPL-2.0-or-later
// Reading what firewall tools print: the small text helpers every command-driven backend (iptables, firewalld,
// ipfw, pf) needs to find its `_exp_<epoch>` rules in a listing and to quote a tool's error.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/firewall/command_executor.h"
#include "server/firewall/firewall_backend.h"

namespace sesame::server::firewall {

// fwknopd marks every rule it adds with this (comment, label or ipfw comment) and the epoch second it expires at.
inline constexpr std::string_view kExpireCommentPrefix = "_exp_";

// The non-empty pieces of `text` between separators.
std::vector<std::string_view> split(std::string_view text, char separator);

// The whole of `text` as a number, or nothing.
template <class Int>
std::optional<Int> number_in(std::string_view text) {
  Int value{};
  const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (problem != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The digits after the first `_exp_` in a listed rule, if there are any.
std::optional<std::int64_t> rule_expiry(std::string_view rule);

// "tcp"/"6" -> 6, "udp"/"17" -> 17, anything else 0.
std::uint8_t protocol_number(std::string_view word);

// "192.0.2.7/6/22": one grant's identity.
std::string grant_key(const ExpiredGrant& grant);

// The first line of a tool's output, at most `max` characters: enough of an error for one log line.
std::string first_line(std::string_view text, std::size_t max = 300);

// "`ipfw add ...` failed (exit 1): <first line of its output>": a failed tool run for one log line.
std::string failure_text(std::string_view program, const std::vector<std::string>& args, const CommandOutcome& outcome);

}  // namespace sesame::server::firewall
