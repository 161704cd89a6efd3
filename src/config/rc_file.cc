// SPDX-License-Identifier: GPL-2.0-or-later
// The rc-file line parser (fwknop's is_rc_section, is_rc_param and IS_EMPTY_LINE, client/config_init.c).
#include "config/config_text.h"
#include "config/rc_file.h"

#include <algorithm>
#include <cctype>

namespace sesame::config {
namespace {

// isspace() in the C locale, which fwknop's sscanf("%s") and is_rc_section use.
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Where fwknop's value token ("%[^ ;\t\n\r#]") stops.
bool ends_value(char c) {
  return c == ' ' || c == ';' || c == '\t' || c == '\n' || c == '\r' || c == '#';
}

std::size_t skip_blanks(std::string_view text, std::size_t at) {
  while (at < text.size() && is_blank(text[at])) ++at;
  return at;
}

class RcFileParser {
 public:
  explicit RcFileParser(std::string_view file_name) { file_.file_name = std::string(file_name); }

  void parse_line(std::string_view line, int number) {
    if (const auto nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
    // fwknop looks at the first byte only: "#", ";", CR, LF or NUL make the line a comment or empty.
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '\r') return;
    const std::size_t start = skip_blanks(line, 0);
    // A line of blanks: fwknop rejects it inside a stanza it reads (sscanf finds no token); a stray space
    // must not make the client exit, so it is blank here.
    if (start == line.size()) return;
    if (line[start] == '[') return open_stanza(line, start, number);
    if (file_.stanzas.empty()) return;  // before the first stanza: fwknop never looks at these lines
    parse_setting(line, start, number);
  }

  RcFile finish() && { return std::move(file_); }

 private:
  void open_stanza(std::string_view line, std::size_t open, int number) {
    const std::size_t close = line.find(']', open + 1);
    if (close == std::string_view::npos) {
      if (!file_.stanzas.empty()) add_error(number, "'[' without a closing ']'");
      return;
    }
    file_.stanzas.push_back({std::string(line.substr(open + 1, close - open - 1)), number, {}});
  }

  void parse_setting(std::string_view line, std::size_t start, int number) {
    std::size_t end = start;
    while (end < line.size() && !is_blank(line[end])) ++end;
    std::string_view variable = line.substr(start, end - start);
    const std::size_t value_start = skip_blanks(line, end);
    std::size_t value_end = value_start;
    while (value_end < line.size() && !ends_value(line[value_end])) ++value_end;
    if (value_end == value_start) {
      // Never echo the line: it may be "KEY_BASE64:<key>" written without the space.
      add_error(number, "expected \"VARIABLE value\"");
      return;
    }
    if (const auto colon = variable.rfind(':'); colon != std::string_view::npos) variable = variable.substr(0, colon);
    const std::string_view value = line.substr(value_start, value_end - value_start);
    file_.stanzas.back().settings.push_back({std::string(variable), SecretBytes::from_text(value), number});
  }

  void add_error(int line, std::string message) { file_.errors.push_back({file_.file_name, line, std::move(message)}); }

  RcFile file_;
};

}  // namespace

RcFile parse_rc_file(std::string_view file_name, std::string_view text) {
  RcFileParser parser(file_name);
  int number = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t newline = text.find('\n', at);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    parser.parse_line(text.substr(at, end - at), ++number);
    at = end + 1;
  }
  return std::move(parser).finish();
}

bool has_stanza(const RcFile& file, std::string_view name) {
  return std::any_of(file.stanzas.begin(), file.stanzas.end(),
                     [&](const RcStanza& stanza) { return iequals(stanza.name, name); });
}

std::vector<std::string> stanza_names(const RcFile& file) {
  std::vector<std::string> names;
  for (const auto& stanza : file.stanzas)
    if (!iequals(stanza.name, "default")) names.push_back(stanza.name);
  return names;
}

}  // namespace sesame::config
