// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the access.conf parser, alone and with the input also offered as a %include_keys file.
// Property: every error and warning points at a line of its file; every stanza starts on a line of the input and
// has a key or a GPG passphrase when the file has no errors; includes are in order and within the stanza count.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/access_parser.h"

namespace {

int line_count(std::string_view text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
}

void check(const sesame::config::AccessFile& file, std::string_view text, std::string_view key_file_name) {
  const int lines = line_count(text);
  int previous = 0;
  for (const auto& error : file.errors) {
    if (error.line < 1 || error.line > lines || error.line < previous || error.file != "fuzz.conf") std::abort();
    previous = error.line;
  }
  for (const auto& warning : file.warnings)
    if (warning.line < 1 || warning.line > lines || (warning.file != "fuzz.conf" && warning.file != key_file_name))
      std::abort();
  int previous_stanza = 0;
  for (const auto& stanza : file.stanzas) {
    if (stanza.line <= previous_stanza || stanza.line > lines || stanza.file != "fuzz.conf") std::abort();
    previous_stanza = stanza.line;
    if (file.errors.empty() && !stanza.uses_rijndael() && !stanza.uses_gpg()) std::abort();
  }
  int previous_include = 0;
  for (const auto& include : file.includes) {
    if (include.line < previous_include || include.line > lines) std::abort();
    if (include.kind != sesame::config::IncludeKind::kKeys && include.stanza_index > file.stanzas.size()) std::abort();
    previous_include = include.line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(sesame::config::parse_access("fuzz.conf", text), text, "");
  // The same bytes as every key file the input names, so the %include_keys path is explored too.
  const auto first = sesame::config::parse_access("fuzz.conf", text, {.force_nat_allowed = true});
  sesame::config::KeyFileTexts keys;
  for (const auto& include : first.includes)
    if (include.kind == sesame::config::IncludeKind::kKeys) keys.emplace(include.path, text);
  if (!keys.empty()) {
    const auto with_keys = sesame::config::parse_access("fuzz.conf", text, {.force_nat_allowed = true}, keys);
    const int lines = line_count(text);  // the key files are the same text, so the same line range
    for (const auto& warning : with_keys.warnings)
      if (warning.line < 1 || warning.line > lines) std::abort();
    for (const auto& error : with_keys.errors)
      if (error.line < 1 || error.line > lines) std::abort();
  }
  return 0;
}
