// SPDX-License-Identifier: GPL-2.0-or-later
// The client's rc file (~/.sesamerc, ~/.fwknoprc) as text: stanzas and their "VARIABLE value" lines, read with
// fwknop's exact line syntax (client.md §3). What the values mean is rc_settings.h's business.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/secret_bytes.h"
#include "config/config_error.h"

namespace sesame::config {

struct RcSetting {
  std::string variable;  // the first token, cut at its last ':' ("KEY_BASE64:" -> "KEY_BASE64"); case kept
  SecretBytes value;     // the second token; every value is held as a secret since KEY and HMAC_KEY are values
  int line = 0;

  std::string_view value_text() const { return value.as_text(); }
};

struct RcStanza {
  std::string name;                 // between '[' and the first ']', verbatim; compared case-insensitively
  int line = 0;                     // of the "[name]" line
  std::vector<RcSetting> settings;  // in file order
};

struct RcFile {
  std::string file_name;
  // In file order, one per "[name]" line: a name may appear several times, and then every section counts.
  std::vector<RcStanza> stanzas;
  // Lines inside a stanza that are neither blank, comment, "[name]" nor "VARIABLE value", in file order. fwknop
  // only rejects them inside the stanzas it reads, so settings_from_rc reports only those; lines before the
  // first stanza are ignored, as fwknop ignores them.
  std::vector<ConfigError> errors;
};

// Line syntax, as fwknop's: a line whose first byte is '#', ';', CR or NUL is a comment (only the first byte:
// "  # x" is not one); a line of blanks is blank; "[name]" after optional blanks opens a stanza; any other
// line is "VARIABLE value": the variable is the first blank-delimited token, cut at its last ':'; the value
// is the next token and ends at a blank, ';', '#', CR or LF, so values cannot hold spaces. A NUL byte ends
// its line, as in fwknop's C strings. Never fails: problems are in `errors`.
RcFile parse_rc_file(std::string_view file_name, std::string_view text);

// Whether some "[name]" matches, case-insensitively.
bool has_stanza(const RcFile& file, std::string_view name);
// For --stanza-list: every stanza name in file order, one per "[name]" line, except "default" in any case.
std::vector<std::string> stanza_names(const RcFile& file);

}  // namespace sesame::config
