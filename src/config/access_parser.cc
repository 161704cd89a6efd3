// SPDX-License-Identifier: GPL-2.0-or-later
// The access.conf parser: fwknop's parse_access_file, include_keys_file, acc_data_is_valid and set_acc_defaults
// (server/access.c), as one pass over text that collects every problem.
#include "config/access_parser.h"
#include "config/config_text.h"

#include <string.h>  // explicit_bzero

#include <nettle/memops.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <optional>

#include "config/setting_values.h"
#include "spa/base64.h"
#include "spa/hmac.h"
#include "spa/rijndael.h"
#include "spa/x25519.h"

namespace sesame::config {
namespace {

constexpr std::uint32_t kMaxTimeout = 1u << 23;  // fwknop's RCHK_MAX_FW_TIMEOUT and RCHK_MAX_CMD_CYCLE_TIMER
constexpr std::size_t kMaxCycleCommand = 255;    // CMD_CYCLE_BUFSIZE (256) with its NUL
constexpr std::size_t kLegacyKeySize = 16;
constexpr std::size_t kMaxEchoedValue = 64;

// printable_ascii() that also escapes bytes >= 0x7f, as this parser always has.
std::string printable_ascii(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text.substr(0, kMaxEchoedValue)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  if (text.size() > kMaxEchoedValue) out += "...";
  return out;
}
constexpr std::chrono::seconds kDefaultFwAccessTimeout{30};
constexpr std::chrono::seconds kDefaultMaxFwTimeout{300};

enum class Var {
  kSource,
  kDestination,
  kOpenPorts,
  kRestrictPorts,
  kKey,
  kKeyBase64,
  kHmacKey,
  kHmacKeyBase64,
  kHmacDigestType,
  kEncryptionMode,
  kFwAccessTimeout,
  kMaxFwTimeout,
  kAccessExpire,
  kAccessExpireEpoch,
  kEnableCmdExec,
  kEnableCmdSudoExec,
  kCmdSudoExecUser,
  kCmdSudoExecGroup,
  kCmdExecUser,
  kCmdExecGroup,
  kCmdCycleOpen,
  kCmdCycleClose,
  kCmdCycleTimer,
  kRequireUsername,
  kRequireSourceAddress,
  kForceNat,
  kForceSnat,
  kForceMasquerade,
  kDisableDnat,
  kForwardAll,
  kGpgHomeDir,
  kGpgExe,
  kGpgDecryptId,
  kGpgDecryptPw,
  kGpgAllowNoPw,
  kGpgRequireSig,
  kGpgDisableSig,
  kGpgIgnoreSigVerifyError,
  kGpgRemoteId,
  kGpgFingerprintId,
  kModernClientPublicKey,
  kModernServerPrivateKey,
  kModernAead,
  kInclude,
  kIncludeFolder,
  kIncludeKeys,
};

struct VarInfo {
  std::string_view name;
  Var var;
  bool is_key_file_var;  // read from a %include_keys file (fwknop's include_keys_file list)
};

constexpr std::array kVars = {
    VarInfo{"SOURCE", Var::kSource, false},
    VarInfo{"DESTINATION", Var::kDestination, false},
    VarInfo{"OPEN_PORTS", Var::kOpenPorts, false},
    VarInfo{"RESTRICT_PORTS", Var::kRestrictPorts, false},
    VarInfo{"KEY", Var::kKey, true},
    VarInfo{"KEY_BASE64", Var::kKeyBase64, true},
    VarInfo{"HMAC_KEY", Var::kHmacKey, true},
    VarInfo{"HMAC_KEY_BASE64", Var::kHmacKeyBase64, true},
    VarInfo{"HMAC_DIGEST_TYPE", Var::kHmacDigestType, false},
    VarInfo{"ENCRYPTION_MODE", Var::kEncryptionMode, false},
    VarInfo{"FW_ACCESS_TIMEOUT", Var::kFwAccessTimeout, false},
    VarInfo{"MAX_FW_TIMEOUT", Var::kMaxFwTimeout, false},
    VarInfo{"ACCESS_EXPIRE", Var::kAccessExpire, false},
    VarInfo{"ACCESS_EXPIRE_EPOCH", Var::kAccessExpireEpoch, false},
    VarInfo{"ENABLE_CMD_EXEC", Var::kEnableCmdExec, false},
    VarInfo{"ENABLE_CMD_SUDO_EXEC", Var::kEnableCmdSudoExec, false},
    VarInfo{"CMD_SUDO_EXEC_USER", Var::kCmdSudoExecUser, false},
    VarInfo{"CMD_SUDO_EXEC_GROUP", Var::kCmdSudoExecGroup, false},
    VarInfo{"CMD_EXEC_USER", Var::kCmdExecUser, false},
    VarInfo{"CMD_EXEC_GROUP", Var::kCmdExecGroup, false},
    VarInfo{"CMD_CYCLE_OPEN", Var::kCmdCycleOpen, false},
    VarInfo{"CMD_CYCLE_CLOSE", Var::kCmdCycleClose, false},
    VarInfo{"CMD_CYCLE_TIMER", Var::kCmdCycleTimer, false},
    VarInfo{"REQUIRE_USERNAME", Var::kRequireUsername, false},
    VarInfo{"REQUIRE_SOURCE_ADDRESS", Var::kRequireSourceAddress, false},
    VarInfo{"REQUIRE_SOURCE", Var::kRequireSourceAddress, false},  // fwknop's synonym
    VarInfo{"FORCE_NAT", Var::kForceNat, false},
    VarInfo{"FORCE_SNAT", Var::kForceSnat, false},
    VarInfo{"FORCE_MASQUERADE", Var::kForceMasquerade, false},
    VarInfo{"DISABLE_DNAT", Var::kDisableDnat, false},
    VarInfo{"FORWARD_ALL", Var::kForwardAll, false},
    VarInfo{"GPG_HOME_DIR", Var::kGpgHomeDir, false},
    VarInfo{"GPG_EXE", Var::kGpgExe, false},
    VarInfo{"GPG_DECRYPT_ID", Var::kGpgDecryptId, true},
    VarInfo{"GPG_DECRYPT_PW", Var::kGpgDecryptPw, true},
    VarInfo{"GPG_ALLOW_NO_PW", Var::kGpgAllowNoPw, true},
    VarInfo{"GPG_REQUIRE_SIG", Var::kGpgRequireSig, true},
    VarInfo{"GPG_DISABLE_SIG", Var::kGpgDisableSig, true},
    VarInfo{"GPG_IGNORE_SIG_VERIFY_ERROR", Var::kGpgIgnoreSigVerifyError, true},
    VarInfo{"GPG_REMOTE_ID", Var::kGpgRemoteId, true},
    VarInfo{"GPG_FINGERPRINT_ID", Var::kGpgFingerprintId, true},
    VarInfo{"MODERN_CLIENT_PUBLIC_KEY_BASE64", Var::kModernClientPublicKey, true},  // sesame's modern mode
    VarInfo{"MODERN_SERVER_PRIVATE_KEY_BASE64", Var::kModernServerPrivateKey, true},
    VarInfo{"MODERN_AEAD", Var::kModernAead, false},
    VarInfo{"%include", Var::kInclude, false},
    VarInfo{"%include_folder", Var::kIncludeFolder, false},
    VarInfo{"%include_keys", Var::kIncludeKeys, false},
};

// Variables whose value is a key: an unknown name starting with one of them is not echoed ("HMAC_KEY=secret").
constexpr std::array<std::string_view, 4> kSecretPrefixes = {"KEY", "HMAC_KEY", "GPG_DECRYPT_PW",
                                                             "MODERN_SERVER_PRIVATE_KEY"};

const VarInfo* find_var(std::string_view name) {
  for (const auto& info : kVars)
    if (info.name == name) return &info;
  return nullptr;
}

// isspace() in the C locale, which fwknop's sscanf uses.
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// A value as it may appear in a message: control bytes escaped (no terminal escape sequences from a file),
// long ones cut.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  out += printable_ascii(text);
  out += '"';
  return out;
}

struct SplitLine {
  enum class Shape { kBlank, kSetting, kMalformed } shape = Shape::kBlank;
  std::string_view variable;
  std::string_view value;
};

// fwknop's IS_EMPTY_LINE and sscanf(line, "%s %[^;\n\r]", var, val), then its strrchr(var, ':') cut and
// 2.6.11's trailing-blank chop.
SplitLine split_line(std::string_view line) {
  if (const auto nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
  if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '\r') return {};
  std::size_t start = 0;
  while (start < line.size() && is_blank(line[start])) ++start;
  // fwknopd rejects these lines as fatal errors; a stray blank or an indented comment must not stop a server.
  if (start == line.size() || line[start] == '#' || line[start] == ';') return {};
  std::size_t end = start;
  while (end < line.size() && !is_blank(line[end])) ++end;
  std::string_view variable = line.substr(start, end - start);
  std::size_t value_start = end;
  while (value_start < line.size() && is_blank(line[value_start])) ++value_start;
  std::size_t value_end = line.find_first_of(";\r", value_start);
  if (value_end == std::string_view::npos) value_end = line.size();
  std::string_view value = line.substr(value_start, value_end - value_start);
  while (!value.empty() && is_blank(value.back())) value.remove_suffix(1);
  if (value.empty()) return {SplitLine::Shape::kMalformed, {}, {}};
  if (const auto colon = variable.rfind(':'); colon != std::string_view::npos) variable = variable.substr(0, colon);
  return {SplitLine::Shape::kSetting, variable, value};
}

// Calls on_line(line, number) for each '\n'-separated line, numbered from 1.
template <class OnLine>
void for_each_line(std::string_view text, OnLine on_line) {
  int number = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t newline = text.find('\n', at);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    on_line(text.substr(at, end - at), ++number);
    at = end + 1;
  }
}

// fwknop's add_acc_bool: the first character decides.
bool parse_bool(std::string_view value) {
  return !value.empty() && (value[0] == 'Y' || value[0] == 'y');
}

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// MM/DD/YYYY (or 2-digit year: 20YY, as fwknop's tm_year += 100) -> local midnight of that day.
std::optional<std::chrono::sys_seconds> parse_date(std::string_view text) {
  std::array<std::string_view, 3> parts;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::size_t slash = text.find('/');
    if ((i < 2) == (slash == std::string_view::npos)) return std::nullopt;
    parts[i] = text.substr(0, slash);
    if (slash != std::string_view::npos) text.remove_prefix(slash + 1);
  }
  if (parts[0].size() > 2 || parts[1].size() > 2 || parts[2].size() == 3 || parts[2].size() > 4) return std::nullopt;
  const auto month = parse_decimal(parts[0], 12);
  const auto day = parse_decimal(parts[1], 31);
  const auto year_digits = parse_decimal(parts[2], 9999);
  if (!month || !day || !year_digits || *month < 1 || *day < 1) return std::nullopt;
  const int year = parts[2].size() <= 2 ? 2000 + static_cast<int>(*year_digits) : static_cast<int>(*year_digits);
  if (year < 1970) return std::nullopt;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = kDays[*month - 1] + (*month == 2 && is_leap_year(year) ? 1 : 0);
  if (static_cast<int>(*day) > days) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(*month) - 1;
  tm.tm_mday = static_cast<int>(*day);
  tm.tm_isdst = -1;  // midnight in whatever offset holds that day (fwknop says "no DST": 01:00 in summer)
  const std::time_t when = std::mktime(&tm);
  if (when == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::seconds(when));
}

// "30   # seconds" -> "30"; `ignored` gets "# seconds". Only blank-then-'#' starts a comment: the values this is
// used for never hold a '#'.
std::string_view strip_comment(std::string_view value, std::string_view& ignored) {
  ignored = {};
  for (std::size_t i = 1; i < value.size(); ++i) {
    if (value[i] == '#' && is_blank(value[i - 1])) {
      ignored = value.substr(i);
      return trim(value.substr(0, i));
    }
  }
  return value;
}

std::vector<std::string> split_string_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t at = 0;
  while (true) {
    const std::size_t comma = text.find(',', at);
    const std::string_view item = trim(text.substr(at, comma == std::string_view::npos ? comma : comma - at));
    if (!item.empty()) items.emplace_back(item);  // fwknop keeps "" items, which no signer ever matches
    if (comma == std::string_view::npos) return items;
    at = comma + 1;
  }
}

// Where each stanza variable that a stanza-level message names was last set.
struct StanzaLines {
  int key = 0;
  std::string_view key_name = "KEY";
  int hmac_key = 0;
  std::string_view hmac_key_name = "HMAC_KEY";
  int gpg_decrypt_pw = 0;
  std::string_view gpg_decrypt_pw_name = "GPG_DECRYPT_PW";
  int fw_access_timeout = 0;
  int max_fw_timeout = 0;
  int access_expire = 0;
  int cmd_cycle_open = 0;
  int cmd_cycle_close = 0;
  int force_snat = 0;
  int force_masquerade = 0;
  int modern_client_public_key = 0;
  int modern_server_private_key = 0;
};

struct Problem {
  int line = 0;
  std::string message;
};

// The key Rijndael will use: legacy mode cuts it to 16 bytes.
std::span<const std::uint8_t> effective_key(const AccessStanza& stanza) {
  if (!stanza.key) return {};
  const auto bytes = stanza.key->bytes();
  if (stanza.encryption_mode == spa::EncryptionMode::kCbcLegacyIv && bytes.size() > kLegacyKeySize)
    return bytes.first(kLegacyKeySize);
  return bytes;
}

bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && memeql_sec(a.data(), b.data(), a.size()) != 0;
}

bool starts_with_none(const std::optional<std::string>& command) {
  return command && command->starts_with("NONE");  // fwknop's strncmp(close, "NONE", 4)
}

// fwknop's acc_data_is_valid, without its side effects (those are in AccessParser::close_stanza).
std::vector<Problem> stanza_problems(const AccessStanza& s, const StanzaLines& lines) {
  std::vector<Problem> problems;
  const bool has_gpg_pw = s.gpg_decrypt_pw && !s.gpg_decrypt_pw->empty();
  if (!s.uses_rijndael() && !has_gpg_pw && !s.gpg_allow_no_pw && !s.uses_modern())
    problems.push_back({s.line,
                        "SOURCE: the stanza has no key: it needs KEY, KEY_BASE64, GPG_DECRYPT_PW, "
                        "GPG_ALLOW_NO_PW or the two MODERN_ keys"});
  // Modern mode needs both halves: the client's public key and this server's private key.
  if (s.modern_client_public_key && !s.modern_server_private_key)
    problems.push_back({lines.modern_client_public_key,
                        "MODERN_CLIENT_PUBLIC_KEY_BASE64: needs MODERN_SERVER_PRIVATE_KEY_BASE64 in the same stanza"});
  if (s.modern_server_private_key && !s.modern_client_public_key)
    problems.push_back({lines.modern_server_private_key,
                        "MODERN_SERVER_PRIVATE_KEY_BASE64: needs MODERN_CLIENT_PUBLIC_KEY_BASE64 in the same stanza"});
  if (s.uses_hmac()) {
    // Equal keys would make the HMAC a function of the encryption key alone.
    const bool same_as_key = s.uses_rijndael() && same_bytes(effective_key(s), s.hmac_key->bytes());
    const bool same_as_pw = !s.gpg_allow_no_pw && has_gpg_pw && s.gpg_decrypt_pw->equals(*s.hmac_key);
    if (same_as_key || same_as_pw)
      problems.push_back({lines.hmac_key, std::string(lines.hmac_key_name) +
                                              ": the HMAC key must differ from the encryption key or passphrase"});
  }
  if ((s.force_snat || s.force_masquerade) && !s.force_nat && !s.forward_all) {
    const bool by_snat = s.force_snat.has_value();
    problems.push_back({by_snat ? lines.force_snat : lines.force_masquerade,
                        std::string(by_snat ? "FORCE_SNAT" : "FORCE_MASQUERADE") +
                            ": needs FORCE_NAT or FORWARD_ALL in the same stanza"});
  }
  if (s.cmd_cycle_open) {
    if (!s.cmd_cycle_close)
      problems.push_back({lines.cmd_cycle_open, "CMD_CYCLE_OPEN: needs CMD_CYCLE_CLOSE (NONE: no close command)"});
    else if (!starts_with_none(s.cmd_cycle_close) && s.cmd_cycle_timer.count() == 0)
      problems.push_back({lines.cmd_cycle_open,
                          "CMD_CYCLE_OPEN: needs CMD_CYCLE_TIMER (1-8388608 seconds) unless "
                          "CMD_CYCLE_CLOSE is NONE"});
    if (s.cmd_cycle_open->size() > kMaxCycleCommand)
      problems.push_back({lines.cmd_cycle_open, "CMD_CYCLE_OPEN: longer than 255 characters"});
  }
  if (s.cmd_cycle_close) {
    if (!s.cmd_cycle_open) problems.push_back({lines.cmd_cycle_close, "CMD_CYCLE_CLOSE: needs CMD_CYCLE_OPEN"});
    if (s.cmd_cycle_close->size() > kMaxCycleCommand)
      problems.push_back({lines.cmd_cycle_close, "CMD_CYCLE_CLOSE: longer than 255 characters"});
  }
  return problems;
}

class AccessParser {
 public:
  AccessParser(std::string_view file_name, const AccessDefaults& defaults, const KeyFileTexts& key_files)
      : defaults_(defaults), key_files_(key_files) {
    file_.file_name = std::string(file_name);
  }

  void parse_line(std::string_view line, int number) {
    const SplitLine split = split_line(line);
    if (split.shape == SplitLine::Shape::kBlank) return;
    if (split.shape == SplitLine::Shape::kMalformed) {
      // Never echo the line: it may be "KEY_BASE64:<key>" written without the blank.
      add_error(number, "expected \"VARIABLE value\"");
      return;
    }
    const VarInfo* info = find_var(split.variable);
    if (info && info->var == Var::kSource) {
      close_stanza();
      open_stanza(number);
    } else if (info && (info->var == Var::kInclude || info->var == Var::kIncludeFolder)) {
      // Read wherever they are, even before the first SOURCE or in a dropped stanza, as fwknopd reads them.
      file_.includes.push_back({info->var == Var::kInclude ? IncludeKind::kFile : IncludeKind::kFolder,
                                std::string(split.value), number, file_.stanzas.size()});
      return;
    }
    if (!open_) return;  // before the first SOURCE, or after a dropped stanza: fwknopd skips these lines
    if (!info) return add_warning(number, unknown_variable(split.variable));
    if (info->var == Var::kIncludeKeys) {
      file_.includes.push_back({IncludeKind::kKeys, std::string(split.value), number, open_->index});
      return include_keys(split.value, number);
    }
    std::vector<std::string> notes;
    if (auto error = apply(info->var, info->name, split.value, number, notes)) add_error(number, std::move(*error));
    for (auto& note : notes) add_warning(number, std::move(note));
  }

  AccessFile finish() && {
    close_stanza();
    // Stanza checks run when the next SOURCE is read: put their errors back in line order.
    std::stable_sort(file_.errors.begin(), file_.errors.end(),
                     [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
    return std::move(file_);
  }

 private:
  struct OpenStanza {
    std::size_t index = 0;
    StanzaLines lines;
  };

  AccessStanza& stanza() { return file_.stanzas[open_->index]; }

  void open_stanza(int line) {
    file_.stanzas.emplace_back();
    file_.stanzas.back().file = file_.file_name;
    file_.stanzas.back().line = line;
    open_ = OpenStanza{file_.stanzas.size() - 1, {}};
  }

  // A %include_keys file: only the key variables of that file, applied here (fwknop's include_keys_file), then
  // fwknop's acc_data_is_valid on the stanza so far; if anything is wrong the stanza is dropped.
  void include_keys(std::string_view path, int number) {
    std::vector<std::string> reasons;
    if (const auto found = key_files_.find(path); found == key_files_.end()) {
      reasons.emplace_back("the key file was not read");
    } else {
      bool has_problem = false;
      for_each_line(found->second, [&](std::string_view line, int key_line) {
        const SplitLine split = split_line(line);
        if (split.shape == SplitLine::Shape::kBlank) return;
        if (split.shape == SplitLine::Shape::kMalformed) {
          has_problem = true;
          return add_warning_at(found->first, key_line, "expected \"VARIABLE value\"");
        }
        const VarInfo* info = find_var(split.variable);
        if (!info || !info->is_key_file_var)
          return add_warning_at(found->first, key_line,
                                (info ? std::string(info->name) : unknown_name(split.variable)) +
                                    ": not a key variable, ignored in a %include_keys file");
        std::vector<std::string> notes;
        if (auto error = apply(info->var, info->name, split.value, number, notes)) {
          has_problem = true;
          add_warning_at(found->first, key_line, std::move(*error));
        }
        for (auto& note : notes) add_warning_at(found->first, key_line, std::move(note));
      });
      if (has_problem) reasons.emplace_back("the key file has errors");
    }
    for (auto& problem : stanza_problems(stanza(), open_->lines)) reasons.push_back(std::move(problem.message));
    if (reasons.empty()) return;
    std::string message = "%include_keys: " + quoted(path) + ": stanza of line " + std::to_string(stanza().line) +
                          " dropped, as fwknopd drops it: ";
    for (std::size_t i = 0; i < reasons.size(); ++i) message += (i ? "; " : "") + reasons[i];
    add_warning(number, std::move(message));
    drop_open_stanza();
  }

  void drop_open_stanza() {
    const int line = stanza().line;
    const std::size_t index = open_->index;
    file_.stanzas.pop_back();  // the open stanza is always this file's last
    open_.reset();
    // Includes read inside the dropped stanza counted it among the stanzas before them.
    for (auto it = file_.includes.rbegin(); it != file_.includes.rend() && it->line > line; ++it)
      if (it->kind != IncludeKind::kKeys && it->stanza_index > index) --it->stanza_index;
  }

  // The end of a stanza: fwknop's acc_data_is_valid, then its set_acc_defaults.
  void close_stanza() {
    if (!open_) return;
    AccessStanza& s = stanza();
    const StanzaLines& lines = open_->lines;
    for (auto& problem : stanza_problems(s, lines)) add_error(problem.line, std::move(problem.message));

    if (s.encryption_mode == spa::EncryptionMode::kCbcLegacyIv && s.key && s.key->size() > kLegacyKeySize) {
      add_warning(lines.key, std::string(lines.key_name) +
                                 ": ENCRYPTION_MODE legacy uses only the first 16 bytes of the key, as fwknopd does");
      s.key = SecretBytes(effective_key(s));
    }
    if (s.uses_rijndael() && s.key->size() > spa::kMaxRijndaelKeySize)
      add_warning(lines.key, std::string(lines.key_name) +
                                 ": longer than 32 bytes: no packet can be decrypted with it (fwknopd accepts it too)");
    if (s.uses_hmac() && s.hmac_key->size() > spa::kMaxHmacKeySize)
      add_warning(lines.hmac_key, std::string(lines.hmac_key_name) + ": longer than " +
                                      std::to_string(spa::kMaxHmacKeySize) +
                                      " bytes: no packet can be verified with it (fwknopd accepts it too)");
    if ((s.force_snat || s.force_masquerade) && !s.force_nat && s.forward_all)
      s.force_nat = ForceNat{"0.0.0.0", 0};  // fwknop: FORWARD_ALL stands for FORCE_NAT 0.0.0.0 0
    if (!s.require_source_address)
      add_warning(s.line,
                  "SOURCE: REQUIRE_SOURCE_ADDRESS is not enabled: a client may ask for its packet's "
                  "source address (allow IP 0.0.0.0)");
    if (s.fw_access_timeout.count() < 1) s.fw_access_timeout = kDefaultFwAccessTimeout;
    if (s.max_fw_timeout.count() < 1) s.max_fw_timeout = kDefaultMaxFwTimeout;
    if (s.max_fw_timeout < s.fw_access_timeout)
      add_warning(lines.max_fw_timeout ? lines.max_fw_timeout : lines.fw_access_timeout,
                  "MAX_FW_TIMEOUT: below FW_ACCESS_TIMEOUT, so access lasts MAX_FW_TIMEOUT seconds");
    if (s.uses_gpg()) close_gpg_stanza(s, lines);
    s.cmd_cycle_do_close = s.cmd_cycle_close && !starts_with_none(s.cmd_cycle_close);
    if (s.uses_hmac() && !s.hmac_digest_type) s.hmac_digest_type = spa::kDefaultHmacType;
    if (s.is_expired(std::chrono::system_clock::now()))
      add_warning(lines.access_expire, "ACCESS_EXPIRE: the stanza has expired: it grants nothing");
    open_.reset();
  }

  void close_gpg_stanza(AccessStanza& s, const StanzaLines& lines) {
    if (!s.gpg_home_dir && !defaults_.gpg_home_dir.empty()) s.gpg_home_dir = SystemName{defaults_.gpg_home_dir, 0};
    // Signatures are required unless GPG_DISABLE_SIG says otherwise: GPG_REQUIRE_SIG N alone does not.
    if (!s.gpg_require_sig && s.gpg_disable_sig)
      add_warning(lines.gpg_decrypt_pw,
                  "GPG_DISABLE_SIG: signatures are not checked; GPG_REQUIRE_SIG should "
                  "really be enabled");
    else if (!s.gpg_require_sig)
      s.gpg_require_sig = true;
    else if (s.gpg_disable_sig)
      add_warning(lines.gpg_decrypt_pw, "GPG_DISABLE_SIG: GPG_REQUIRE_SIG is set too: signatures are checked");
    if (!s.gpg_disable_sig && !s.is_gpg_remote_id_set && !s.is_gpg_fingerprint_id_set)
      add_error(lines.gpg_decrypt_pw, std::string(lines.gpg_decrypt_pw_name) +
                                          ": signatures are checked, so GPG_REMOTE_ID or GPG_FINGERPRINT_ID must "
                                          "name the accepted signers (or set GPG_DISABLE_SIG Y)");
  }

  static std::string unknown_name(std::string_view name) {
    for (const auto prefix : kSecretPrefixes)
      if (name.starts_with(prefix)) return "a variable starting with " + std::string(prefix) + " (not shown)";
    return printable_ascii(name);
  }

  static std::string unknown_variable(std::string_view name) {
    std::string message = unknown_name(name) + ": unknown variable, ignored";
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
    if (upper != name && find_var(upper)) message += " (names are case-sensitive: " + upper + ")";
    return message;
  }

  static std::string is_not(std::string_view name, std::string_view value, std::string_view expectation) {
    return std::string(name) + ": " + quoted(value) + " is not " + std::string(expectation);
  }

  static bool is_placeholder(std::string_view value) { return iequals(value, "__CHANGEME__"); }

  static std::string placeholder_error(std::string_view name) {
    return std::string(name) + ": still the __CHANGEME__ placeholder: set a real key (fwknopd --key-gen)";
  }

  // A value with a fixed syntax: a trailing "  # comment" is dropped with a note.
  static std::string_view typed(std::string_view name, std::string_view value, std::vector<std::string>& notes) {
    std::string_view ignored;
    const std::string_view kept = strip_comment(value, ignored);
    if (!ignored.empty())
      notes.push_back(std::string(name) + ": " + quoted(ignored) + " after the value ignored (fwknopd ignores it too)");
    return kept;
  }

  static std::optional<SecretBytes> decode_base64_key(std::string_view value) {
    if (!spa::is_base64_text(value)) return std::nullopt;
    auto bytes = spa::base64_decode(value);
    if (!bytes) return std::nullopt;
    SecretBytes key(*bytes);
    if (!bytes->empty()) explicit_bzero(bytes->data(), bytes->size());  // an empty vector's data() may be null
    return key;
  }

  std::optional<std::string> set_seconds(std::string_view name, std::string_view value, std::uint32_t min,
                                         std::chrono::seconds& field, std::vector<std::string>& notes) {
    const std::string_view number = typed(name, value, notes);
    const auto seconds = parse_decimal(number, kMaxTimeout);
    if (!seconds || *seconds < min)
      return is_not(name, number, "a number of seconds (" + std::to_string(min) + "-8388608)");
    field = std::chrono::seconds(*seconds);
    return std::nullopt;
  }

  std::optional<std::string> set_ipv4(std::string_view name, std::string_view value, std::string& field) {
    const auto address = IpAddress::parse(value);
    if (!address || !address->is_ipv4()) return is_not(name, value, "an IPv4 address");
    field = std::string(value);
    return std::nullopt;
  }

  std::optional<std::string> set_force_nat(std::string_view value) {
    std::size_t blank = 0;
    while (blank < value.size() && !is_blank(value[blank])) ++blank;
    const std::string_view ip = value.substr(0, blank);
    const std::string_view port_text = trim(value.substr(blank));
    const auto port = parse_decimal(port_text, 65535);
    ForceNat nat;
    if (!port || set_ipv4("FORCE_NAT", ip, nat.ip)) return is_not("FORCE_NAT", value, "\"<IPv4 address> <port>\"");
    nat.port = static_cast<std::uint16_t>(*port);
    stanza().force_nat = std::move(nat);
    return std::nullopt;
  }

  // One "VARIABLE value" of the open stanza. `line` is recorded for the stanza checks (for a key file's line,
  // the %include_keys line). Returns the problem, without its place.
  std::optional<std::string> apply(Var var, std::string_view name, std::string_view value, int line,
                                   std::vector<std::string>& notes) {
    AccessStanza& s = stanza();
    StanzaLines& lines = open_->lines;
    switch (var) {
      case Var::kSource: {
        const std::string_view text = typed(name, value, notes);
        s.text.source = std::string(text);
        auto list = parse_network_list(text);
        if (!list) return is_not(name, list.error(), "an address, a network (IP/prefix, IPv4/dotted-mask) or ANY");
        s.source = std::move(*list);
        return std::nullopt;
      }
      case Var::kDestination: {
        const std::string_view text = typed(name, value, notes);
        auto list = parse_network_list(text);
        if (!list) return is_not(name, list.error(), "an address, a network (IP/prefix, IPv4/dotted-mask) or ANY");
        s.destination = std::move(*list);
        s.text.destination = std::string(text);
        return std::nullopt;
      }
      case Var::kOpenPorts:
      case Var::kRestrictPorts: {
        const std::string_view text = typed(name, value, notes);
        auto list = parse_port_list(text);
        if (!list) return is_not(name, list.error(), "tcp/<port> or udp/<port> (port 0-65535)");
        (var == Var::kOpenPorts ? s.open_ports : s.restrict_ports) = std::move(*list);
        (var == Var::kOpenPorts ? s.text.open_ports : s.text.restrict_ports) = std::string(text);
        return std::nullopt;
      }
      case Var::kKey:
        if (is_placeholder(value)) return placeholder_error(name);
        s.key = SecretBytes::from_text(value);
        lines.key = line;
        lines.key_name = name;
        return std::nullopt;
      case Var::kKeyBase64: {
        if (is_placeholder(value)) return placeholder_error(name);
        auto key = decode_base64_key(value);
        if (!key) return std::string(name) + ": not valid base64";
        s.key = std::move(*key);
        s.is_key_base64_set = true;
        lines.key = line;
        lines.key_name = name;
        return std::nullopt;
      }
      case Var::kModernClientPublicKey: {
        if (is_placeholder(value)) return placeholder_error(name);
        auto key = decode_base64_key(value);
        if (!key || key->size() != spa::kX25519KeySize)
          return std::string(name) + ": not a base64 X25519 public key (32 bytes; sesame --key-gen --modern)";
        s.modern_client_public_key.emplace();
        std::copy(key->bytes().begin(), key->bytes().end(), s.modern_client_public_key->begin());
        lines.modern_client_public_key = line;
        return std::nullopt;
      }
      case Var::kModernServerPrivateKey: {
        if (is_placeholder(value)) return placeholder_error(name);
        auto key = decode_base64_key(value);
        if (!key || key->size() != spa::kX25519KeySize)
          return std::string(name) + ": not a base64 X25519 private key (32 bytes; sesamed --key-gen --modern)";
        s.modern_server_private_key = std::move(*key);
        lines.modern_server_private_key = line;
        return std::nullopt;
      }
      case Var::kModernAead: {
        const std::string_view suite_name = typed(name, value, notes);
        const auto suite = spa::parse_aead_suite(suite_name);
        if (!suite) return is_not(name, suite_name, "chacha20-poly1305 or aes-256-gcm");
        s.modern_aead = *suite;
        return std::nullopt;
      }
      case Var::kHmacKey:
        if (is_placeholder(value)) return placeholder_error(name);
        s.hmac_key = SecretBytes::from_text(value);
        lines.hmac_key = line;
        lines.hmac_key_name = name;
        return std::nullopt;
      case Var::kHmacKeyBase64: {
        if (is_placeholder(value)) return placeholder_error(name);
        auto key = decode_base64_key(value);
        if (!key) return std::string(name) + ": not valid base64";
        s.hmac_key = std::move(*key);
        s.is_hmac_key_base64_set = true;
        lines.hmac_key = line;
        lines.hmac_key_name = name;
        return std::nullopt;
      }
      case Var::kHmacDigestType: {
        const std::string_view text = typed(name, value, notes);
        const auto digest = spa::parse_digest_name(text);
        if (!digest) return is_not(name, text, "one of md5, sha1, sha256, sha384, sha512, sha3_256, sha3_512");
        s.hmac_digest_type = *digest;
        return std::nullopt;
      }
      case Var::kEncryptionMode: {
        const std::string_view text = typed(name, value, notes);
        const auto mode = parse_client_encryption_mode(text);
        if (!mode) return is_not(name, text, "one of CBC, ECB, CFB, OFB, CTR, legacy, Asymmetric");
        s.encryption_mode = *mode;
        return std::nullopt;
      }
      case Var::kFwAccessTimeout:
        lines.fw_access_timeout = line;
        return set_seconds(name, value, 0, s.fw_access_timeout, notes);
      case Var::kMaxFwTimeout:
        lines.max_fw_timeout = line;
        return set_seconds(name, value, 0, s.max_fw_timeout, notes);
      case Var::kCmdCycleTimer:
        return set_seconds(name, value, 1, s.cmd_cycle_timer, notes);
      case Var::kAccessExpire: {
        const std::string_view text = typed(name, value, notes);
        const auto when = parse_date(text);
        if (!when) return is_not(name, text, "a date (MM/DD/YYYY)");
        s.access_expire = *when;
        lines.access_expire = line;
        return std::nullopt;
      }
      case Var::kAccessExpireEpoch: {
        const std::string_view text = typed(name, value, notes);
        const auto epoch = parse_decimal(text, static_cast<std::uint64_t>(std::chrono::seconds::max().count()));
        if (!epoch) return is_not(name, text, "a number of seconds since 1970");
        // 0 is "never", as fwknop tests access_expire_time > 0.
        s.access_expire.reset();
        if (*epoch > 0) s.access_expire = std::chrono::sys_seconds(std::chrono::seconds(*epoch));
        lines.access_expire = line;
        return std::nullopt;
      }
      case Var::kEnableCmdExec:
        s.enable_cmd_exec = parse_bool(value);
        return std::nullopt;
      case Var::kEnableCmdSudoExec:
        s.enable_cmd_sudo_exec = parse_bool(value);
        return std::nullopt;
      case Var::kCmdSudoExecUser:
        s.cmd_sudo_exec_user = SystemName{std::string(value), line};
        return std::nullopt;
      case Var::kCmdSudoExecGroup:
        s.cmd_sudo_exec_group = SystemName{std::string(value), line};
        return std::nullopt;
      case Var::kCmdExecUser:
        s.cmd_exec_user = SystemName{std::string(value), line};
        return std::nullopt;
      case Var::kCmdExecGroup:
        s.cmd_exec_group = SystemName{std::string(value), line};
        return std::nullopt;
      case Var::kCmdCycleOpen:
        s.cmd_cycle_open = std::string(value);
        lines.cmd_cycle_open = line;
        return std::nullopt;
      case Var::kCmdCycleClose:
        s.cmd_cycle_close = std::string(value);
        lines.cmd_cycle_close = line;
        return std::nullopt;
      case Var::kRequireUsername:
        s.require_username = std::string(value);
        return std::nullopt;
      case Var::kRequireSourceAddress:
        s.require_source_address = parse_bool(value);
        return std::nullopt;
      case Var::kForceNat:
      case Var::kForceSnat: {
        if (!defaults_.force_nat_allowed)
          return std::string(name) + ": needs ENABLE_IPT_FORWARDING or ENABLE_IPT_LOCAL_NAT in fwknopd.conf";
        const std::string_view text = typed(name, value, notes);
        if (var == Var::kForceNat) return set_force_nat(text);
        lines.force_snat = line;
        std::string ip;
        if (auto error = set_ipv4(name, text, ip)) return error;
        s.force_snat = std::move(ip);
        return std::nullopt;
      }
      case Var::kForceMasquerade:
        s.force_masquerade = parse_bool(value);
        lines.force_masquerade = line;
        return std::nullopt;
      case Var::kDisableDnat:
        s.disable_dnat = parse_bool(value);
        return std::nullopt;
      case Var::kForwardAll:
        s.forward_all = parse_bool(value);
        return std::nullopt;
      case Var::kGpgHomeDir:
        s.gpg_home_dir = SystemName{std::string(value), line};
        return std::nullopt;
      case Var::kGpgExe:
        s.gpg_exe = std::string(value);
        return std::nullopt;
      case Var::kGpgDecryptId:
        s.gpg_decrypt_id = std::string(value);
        return std::nullopt;
      case Var::kGpgDecryptPw:
        if (is_placeholder(value)) return placeholder_error(name);
        s.gpg_decrypt_pw = SecretBytes::from_text(value);
        lines.gpg_decrypt_pw = line;
        lines.gpg_decrypt_pw_name = name;
        return std::nullopt;
      case Var::kGpgAllowNoPw:
        s.gpg_allow_no_pw = parse_bool(value);
        if (s.gpg_allow_no_pw) {
          s.gpg_decrypt_pw = SecretBytes();  // fwknop: an empty passphrase, and GPG on
          lines.gpg_decrypt_pw = line;
          lines.gpg_decrypt_pw_name = name;
        }
        return std::nullopt;
      case Var::kGpgRequireSig:
        s.gpg_require_sig = parse_bool(value);
        return std::nullopt;
      case Var::kGpgDisableSig:
        s.gpg_disable_sig = parse_bool(value);
        return std::nullopt;
      case Var::kGpgIgnoreSigVerifyError:
        s.gpg_ignore_sig_verify_error = parse_bool(value);
        return std::nullopt;
      case Var::kGpgRemoteId:
        s.gpg_remote_ids = split_string_list(value);
        s.text.gpg_remote_id = std::string(value);
        s.is_gpg_remote_id_set = true;
        return std::nullopt;
      case Var::kGpgFingerprintId:
        s.gpg_fingerprint_ids = split_string_list(value);
        s.text.gpg_fingerprint_id = std::string(value);
        s.is_gpg_fingerprint_id_set = true;
        return std::nullopt;
      case Var::kInclude:
      case Var::kIncludeFolder:
      case Var::kIncludeKeys:
        break;  // handled by parse_line
    }
    return std::nullopt;
  }

  void add_error(int line, std::string message) { file_.errors.push_back({file_.file_name, line, std::move(message)}); }
  void add_warning(int line, std::string message) { add_warning_at(file_.file_name, line, std::move(message)); }
  void add_warning_at(std::string_view file, int line, std::string message) {
    file_.warnings.push_back({std::string(file), line, std::move(message)});
  }

  const AccessDefaults& defaults_;
  const KeyFileTexts& key_files_;
  AccessFile file_;
  std::optional<OpenStanza> open_;
};

}  // namespace

AccessFile parse_access(std::string_view file_name, std::string_view text, const AccessDefaults& defaults,
                        const KeyFileTexts& key_files) {
  AccessParser parser(file_name, defaults, key_files);
  for_each_line(text, [&](std::string_view line, int number) { parser.parse_line(line, number); });
  return std::move(parser).finish();
}

}  // namespace sesame::config
