// SPDX-License-Identifier: GPL-2.0-or-later
// ActiveOpens: the /proc/net/snmp gate in front of the sock_diag dumps.
#include "launcher/active_opens.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <charconv>

namespace sesame::launcher {
namespace {

std::string_view next_token(std::string_view& line) {
  const std::size_t start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    line = {};
    return {};
  }
  line.remove_prefix(start);
  const std::size_t end = line.find(' ');
  const std::string_view token = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  return token;
}

}  // namespace

std::optional<std::uint64_t> parse_active_opens(std::string_view snmp_text) {
  std::string_view header;
  while (!snmp_text.empty()) {
    const std::size_t end = snmp_text.find('\n');
    std::string_view line = snmp_text.substr(0, end);
    snmp_text.remove_prefix(end == std::string_view::npos ? snmp_text.size() : end + 1);
    if (!line.starts_with("Tcp:")) continue;
    if (header.empty()) {
      header = line;
      continue;
    }
    // `line` holds the values, in the header's column order.
    std::string_view names = header;
    while (true) {
      const std::string_view name = next_token(names);
      const std::string_view value = next_token(line);
      if (name.empty() || value.empty()) return std::nullopt;
      if (name != "ActiveOpens") continue;
      std::uint64_t count = 0;
      const auto [at, error] = std::from_chars(value.data(), value.data() + value.size(), count);
      if (error != std::errc() || at != value.data() + value.size()) return std::nullopt;
      return count;
    }
  }
  return std::nullopt;
}

ActiveOpens::ActiveOpens() : fd_(::open("/proc/net/snmp", O_RDONLY | O_CLOEXEC)) {}

bool ActiveOpens::changed() {
  if (!fd_.is_valid()) return true;
  std::array<char, 8192> buffer;  // the file is ~1.5 KiB
  const ssize_t got = ::pread(fd_.get(), buffer.data(), buffer.size(), 0);
  const auto count = got > 0 ? parse_active_opens(std::string_view(buffer.data(), std::size_t(got))) : std::nullopt;
  if (!count) return true;
  const bool moved = count != last_;
  last_ = count;
  return moved;
}

}  // namespace sesame::launcher
