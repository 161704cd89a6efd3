// SPDX-License-Identifier: GPL-2.0-or-later
// Field dump text -> FieldMap.
#include "support/field_dump.h"

#include <algorithm>

namespace sesame::test {

std::string trim(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const std::size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(kBlanks) - first + 1));
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::size_t read_field_lines(const std::vector<std::string>& lines, std::size_t first, FieldMap* fields) {
  std::size_t i = first;
  for (; i < lines.size() && !trim(lines[i]).empty(); ++i) {
    const std::size_t colon = lines[i].find(": ");
    if (fields != nullptr && colon != std::string::npos)
      (*fields)[trim(std::string_view(lines[i]).substr(0, colon))] = lines[i].substr(colon + 2);
  }
  return i;
}

FieldMap parse_field_dump(std::string_view text) {
  const std::vector<std::string> lines = split_lines(text);
  FieldMap fields;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].ends_with("SPA Field Values:")) {
      read_field_lines(lines, i + 1, &fields);
      break;
    }
  }
  return fields;
}

std::string line_value(std::string_view text, std::string_view name) {
  for (const std::string& line : split_lines(text)) {
    if (line.size() <= name.size() || line.compare(0, name.size(), name) != 0 || line[name.size()] != ':') continue;
    const std::size_t start = line.find_first_not_of(" \t", name.size() + 1);
    return start == std::string::npos ? std::string() : line.substr(start);
  }
  return "";
}

}  // namespace sesame::test
