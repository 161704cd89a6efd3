// SPDX-License-Identifier: GPL-2.0-or-later
// --save-rc-stanza (fwknop's update_rc and add_single_var_to_rc, client/config_init.c) and the initial rc file.
#include "config/rc_writer.h"
#include "config/config_text.h"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "config/rc_variables.h"
#include "config/setting_values.h"
#include "spa/aead.h"
#include "spa/types.h"

namespace sesame::config {
namespace {

constexpr std::int64_t kMaxOffsetUnits = 65536;

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// The (variable, value) lines to write; values may be keys, so they are wiped when the list goes.
class NewLines {
 public:
  NewLines() = default;
  NewLines(const NewLines&) = delete;
  NewLines& operator=(const NewLines&) = delete;
  ~NewLines() {
    for (auto& [variable, value] : lines_) explicit_bzero(value.data(), value.size());
  }
  void add(RcVariable variable, std::string value) { lines_.emplace_back(variable, std::move(value)); }
  const std::vector<std::pair<RcVariable, std::string>>& lines() const { return lines_; }

 private:
  std::vector<std::pair<RcVariable, std::string>> lines_;
};

std::string yes_no(bool value) {
  return value ? "Y" : "N";
}

// Seconds as TIME_OFFSET reads them back: plain seconds while they fit fwknop's 65536-unit limit, else in the
// largest unit that divides them (fwknop writes "172800" for 2d, which it then refuses to read).
std::optional<std::string> time_offset_text(std::int64_t seconds) {
  const std::string sign = seconds < 0 ? "-" : "";
  const std::int64_t magnitude = seconds < 0 ? -seconds : seconds;
  if (magnitude <= kMaxOffsetUnits) return sign + std::to_string(magnitude);
  for (const auto& [unit_s, letter] : {std::pair<std::int64_t, char>{86400, 'd'}, {3600, 'h'}, {60, 'm'}})
    if (magnitude % unit_s == 0 && magnitude / unit_s <= kMaxOffsetUnits)
      return sign + std::to_string(magnitude / unit_s) + letter;
  return std::nullopt;
}

// The value of `variable` in `given`, spelled as fwknop's add_single_var_to_rc spells it; nullopt if not given.
std::optional<std::string> value_of(RcVariable variable, const ClientSettings& given) {
  const auto text = [](const std::optional<std::string>& field) { return field; };
  const auto flag = [](const std::optional<bool>& field) -> std::optional<std::string> {
    if (!field) return std::nullopt;
    return yes_no(*field);
  };
  const auto number = [](const auto& field) -> std::optional<std::string> {
    if (!field) return std::nullopt;
    return std::to_string(*field);
  };
  const auto secret = [](const std::optional<SecretBytes>& field) -> std::optional<std::string> {
    if (!field) return std::nullopt;
    return std::string(field->as_text());
  };
  const auto digest = [](const std::optional<spa::DigestType>& field) -> std::optional<std::string> {
    if (!field) return std::nullopt;
    return std::string(spa::digest_name(*field));
  };
  switch (variable) {
    case RcVariable::kDigestType:
      return digest(given.digest_type);
    case RcVariable::kSpaServerProto:
      if (!given.spa_server_proto) return std::nullopt;
      return std::string(spa_protocol_name(*given.spa_server_proto));
    case RcVariable::kSpaServerPort:
      return number(given.spa_server_port);
    case RcVariable::kSpaSourcePort:
      return number(given.spa_source_port);
    case RcVariable::kFwTimeout:
      return number(given.fw_timeout_s);
    case RcVariable::kAllowIp:
      // fwknop does not save -s at all, so the saved stanza then lacks an allow IP.
      if (given.allow_ip) return given.allow_ip;
      if (given.source_ip.value_or(false)) return "source";
      return std::nullopt;
    case RcVariable::kTimeOffset:
      if (!given.time_offset_s) return std::nullopt;
      return time_offset_text(*given.time_offset_s).value_or("");  // "" is refused as unwritable
    case RcVariable::kEncryptionMode:
      if (!given.encryption_mode) return std::nullopt;
      return std::string(spa::encryption_mode_name(*given.encryption_mode));
    case RcVariable::kUseGpg:
      return flag(given.use_gpg);
    case RcVariable::kUseGpgAgent:
      return flag(given.use_gpg_agent);
    case RcVariable::kGpgRecipient:
      return text(given.gpg_recipient);
    case RcVariable::kGpgSigner:
      return text(given.gpg_signer);
    case RcVariable::kGpgHomeDir:
      return text(given.gpg_home_dir);
    case RcVariable::kGpgExe:
      return text(given.gpg_exe);
    case RcVariable::kGpgSigningPw:
      return secret(given.gpg_signing_pw);
    case RcVariable::kGpgSigningPwBase64:
      return secret(given.gpg_signing_pw_base64);
    case RcVariable::kGpgNoSigningPw:
      return flag(given.gpg_no_signing_pw);
    case RcVariable::kSpoofUser:
      return text(given.spoof_user);
    case RcVariable::kSpoofSourceIp:
      return text(given.spoof_source_ip);
    case RcVariable::kAccess:
      return text(given.access);
    case RcVariable::kSpaServer:
      return text(given.spa_server);
    case RcVariable::kRandPort:
      return flag(given.rand_port);
    case RcVariable::kKey:
      return secret(given.key);
    case RcVariable::kKeyBase64:
      return secret(given.key_base64);
    case RcVariable::kHmacDigestType:
      return digest(given.hmac_digest_type);
    case RcVariable::kHmacKeyBase64:
      return secret(given.hmac_key_base64);
    case RcVariable::kHmacKey:
      return secret(given.hmac_key);
    case RcVariable::kUseHmac:
      return flag(given.use_hmac);
    case RcVariable::kUseWgetUserAgent:
      return flag(given.use_wget_user_agent);
    case RcVariable::kKeyFile:
      return text(given.key_file);
    case RcVariable::kHmacKeyFile:
      return text(given.hmac_key_file);
    case RcVariable::kNatAccess:
      return text(given.nat_access);
    case RcVariable::kHttpUserAgent:
      return text(given.user_agent);
    case RcVariable::kResolveUrl:
      return text(given.resolve_url);
    case RcVariable::kServerResolveIpv4:
      return flag(given.server_resolve_ipv4);
    case RcVariable::kNatLocal:
      return flag(given.nat_local);
    case RcVariable::kNatRandPort:
      return flag(given.nat_rand_port);
    case RcVariable::kNatPort:
      return number(given.nat_port);
    case RcVariable::kVerbose:
      if (!given.verbose) return std::nullopt;
      return *given.verbose == 1 ? std::string("Y") : std::to_string(*given.verbose);
    case RcVariable::kResolveIpHttp:
      return std::nullopt;  // -R is saved as RESOLVE_IP_HTTPS, as fwknop saves it
    case RcVariable::kResolveIpHttps:
      return flag(given.resolve_ip);
    case RcVariable::kResolveHttpOnly:
      return flag(given.resolve_http_only);
    case RcVariable::kWgetCmd:
      return text(given.wget_cmd);
    case RcVariable::kNoSaveArgs:
      return flag(given.no_save_args);
    case RcVariable::kModernPrivateKeyBase64:
      return secret(given.modern_private_key_base64);
    case RcVariable::kModernServerPublicKeyBase64:
      return text(given.modern_server_public_key_base64);
    case RcVariable::kModernAead:
      if (!given.modern_aead) return std::nullopt;
      return std::string(spa::aead_suite_name(*given.modern_aead));
  }
  return std::nullopt;
}

// A value reads back as written only if it is one non-empty token of the rc syntax (rc_file.h).
bool reads_back(std::string_view value) {
  return !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f || c == '#' || c == ';';
  });
}

bool is_valid_stanza_name(std::string_view name) {
  return !name.empty() &&
         std::none_of(name.begin(), name.end(), [](char c) { return c == ']' || c == '\n' || c == '\r' || c == '\0'; });
}

// One line of the old file, classified as update_rc sees it.
struct OldLine {
  std::string_view text;                   // without its LF
  bool is_dropped = false;                 // comment or blank: never copied
  std::optional<std::string_view> stanza;  // the name, for a "[name]" line
  std::string_view variable;               // the first token cut at its last ':', for other lines
};

OldLine classify(std::string_view text) {
  OldLine line;
  line.text = text;
  const std::string_view visible = text.substr(0, text.find('\0'));  // what fwknop's C strings see
  if (visible.empty() || visible[0] == '#' || visible[0] == ';' || visible[0] == '\r') {
    line.is_dropped = true;
    return line;
  }
  std::size_t start = 0;
  while (start < visible.size() && is_blank(visible[start])) ++start;
  if (start == visible.size()) {
    line.is_dropped = true;
    return line;
  }
  if (visible[start] == '[') {
    if (const auto close = visible.find(']', start + 1); close != std::string_view::npos) {
      line.stanza = visible.substr(start + 1, close - start - 1);
      return line;
    }
  }
  std::size_t end = start;
  while (end < visible.size() && !is_blank(visible[end])) ++end;
  line.variable = visible.substr(start, end - start);
  if (const auto colon = line.variable.rfind(':'); colon != std::string_view::npos)
    line.variable = line.variable.substr(0, colon);
  return line;
}

std::vector<OldLine> split_lines(std::string_view text) {
  std::vector<OldLine> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t newline = text.find('\n', at);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    lines.push_back(classify(text.substr(at, end - at)));
    at = end + 1;
  }
  return lines;
}

std::optional<RcVariable> critical_variable(std::string_view name) {
  const auto variable = find_rc_variable(name);
  if (!variable || !rc_variable_info(*variable).is_critical) return std::nullopt;
  return variable;
}

}  // namespace

Result<RcSaveResult, std::string> save_rc_stanza(
    std::string_view old_text, std::string_view stanza, const ClientSettings& given,
    const std::function<bool(std::string_view variable)>& overwrite_critical) {
  if (!is_valid_stanza_name(stanza))
    return fail(std::string("--save-rc-stanza: a stanza name must not be empty or hold ']', CR, LF or NUL"));

  NewLines new_lines;
  std::string unwritable;
  for (const auto& info : rc_variables()) {
    auto value = value_of(info.variable, given);
    if (!value) continue;
    if (!reads_back(*value)) unwritable += (unwritable.empty() ? "" : ", ") + std::string(info.name);
    new_lines.add(info.variable, std::move(*value));
  }
  if (!unwritable.empty())
    return fail("--save-rc-stanza: cannot save " + unwritable +
                ": an rc file value is one word, without spaces, tabs, control characters, '#' or ';'");

  const std::vector<OldLine> lines = split_lines(old_text);

  // Ask about every critical variable of the target stanza first, in file order, once each, so that the
  // answers are known before the new lines are written.
  RcSaveResult result;
  std::map<RcVariable, bool> overwrite;
  bool in_target = false;
  for (const auto& line : lines) {
    if (line.is_dropped) continue;
    if (line.stanza) {
      in_target = iequals(*line.stanza, stanza);
    } else if (in_target) {
      const auto variable = critical_variable(line.variable);
      if (!variable || overwrite.contains(*variable)) continue;
      const bool yes = overwrite_critical(rc_variable_info(*variable).name);
      overwrite.emplace(*variable, yes);
      if (!yes) result.kept_critical.emplace_back(rc_variable_info(*variable).name);
    }
  }

  std::string& out = result.text;
  out.reserve(old_text.size() + 64 * new_lines.lines().size());
  const auto write_new_lines = [&] {
    for (const auto& [variable, value] : new_lines.lines()) {
      if (const auto it = overwrite.find(variable); it != overwrite.end() && !it->second) continue;
      const std::string_view name = rc_variable_info(variable).name;  // printf("%-24s    %s\n")
      out += name;
      out.append(name.size() < 24 ? 24 - name.size() : 0, ' ');
      out += "    ";
      out += value;
      out += '\n';
    }
  };

  bool seen = false;
  bool written = false;
  in_target = false;
  for (const auto& line : lines) {
    if (line.is_dropped) continue;
    if (line.stanza) {
      if (in_target && !written) {
        write_new_lines();
        out += '\n';
        written = true;
      }
      in_target = iequals(*line.stanza, stanza);
      seen = seen || in_target;
    } else if (in_target) {
      const auto variable = critical_variable(line.variable);
      if (!variable || overwrite.at(*variable)) continue;  // replaced (or dropped, if not given anew)
    }
    out += line.text;
    out += '\n';  // also after a last line without one, so that nothing is appended to it
  }
  if (!seen) {
    out += "\n[";
    out += stanza;
    out += "]\n";
    write_new_lines();
  } else if (!written) {
    write_new_lines();
  }
  return result;
}

std::string initial_rc_file_text() {
  return R"(# sesame client rc file (also read by the fwknop client, which calls it ~/.fwknoprc).
#
# Settings are grouped into stanzas. A stanza starts with its name in square brackets and runs until the
# next one. [default] applies to every run; "sesame -n NAME" adds the stanza [NAME] on top of it, and
# options given on the command line win over both. Stanza names ignore case; variable names do not.
#
# One setting per line: VARIABLE, then blanks, then the value. A value is a single word: it ends at a
# space, a tab, '#' or ';'. A line is a comment only when '#' or ';' is its very first character.
#
# "sesame ... --save-rc-stanza" writes the options of that command line into a stanza of this file
# (and, like fwknop, drops the comments while doing so). "sesame --stanza-list" names the stanzas.
# The sesame(1) manual lists every variable.
#
# Keep this file private (mode 0600): it may hold keys.

[default]

# Uncomment to change what the client does when neither a stanza nor the command line says otherwise:
#SPA_SERVER_PROTO        udp
#SPA_SERVER_PORT         62201
#DIGEST_TYPE             sha256
#HMAC_DIGEST_TYPE        sha256
#FW_TIMEOUT              30
#NO_SAVE_ARGS            Y

# A stanza for one server, used with "sesame -n web" (keys as printed by "sesame --key-gen"):
#[web]
#SPA_SERVER              web.example.org
#ACCESS                  tcp/22
#ALLOW_IP                resolve
#KEY_BASE64              <base64 encryption key>
#HMAC_KEY_BASE64         <base64 HMAC key>
)";
}

}  // namespace sesame::config
