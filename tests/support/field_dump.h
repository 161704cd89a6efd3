// SPDX-License-Identifier: GPL-2.0-or-later
// Reading fwknop's field dump ("SPA Field Values:", "=====", right-aligned "Label: value" lines, a blank line) as
// fwknop -v, fwknopd -v and sesame-inspect print it.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sesame::test {

// Label -> value, labels trimmed, values verbatim: "Username" -> "alice", "Message Type" -> "1 (Access msg)".
using FieldMap = std::map<std::string, std::string>;

std::string trim(std::string_view text);  // without leading and trailing blanks, CR and LF
std::vector<std::string> split_lines(std::string_view text);

// Reads the "Label: value" lines from lines[first] up to the first blank line into `fields` (if not null); lines
// without ": " (the "=====" underline, the header) are skipped. Returns the index of that blank line, or the count.
std::size_t read_field_lines(const std::vector<std::string>& lines, std::size_t first, FieldMap* fields);

// The first "SPA Field Values:" block of `text`; empty if there is none.
FieldMap parse_field_dump(std::string_view text);

// The value of the first "NAME: value" line of `text` (what --key-gen prints), blanks after the colon skipped;
// empty when no line names it.
std::string line_value(std::string_view text, std::string_view name);

}  // namespace sesame::test
