// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd's dump_access_list format, for sesamed -D.
#include "config/access_dump.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <string_view>

#include "spa/aead.h"
#include "spa/base64.h"

namespace sesame::config {
namespace {

constexpr std::string_view kNotSet = "<not set>";
constexpr std::string_view kHidden = "<see the access.conf file>";

// fwknop's labels are right-aligned to 27 columns, then ":  ".
void add(std::string& out, std::string_view label, std::string_view value) {
  if (label.size() < 27) out.append(27 - label.size(), ' ');
  out.append(label).append(":  ").append(value).append("\n");
}

void add(std::string& out, std::string_view label, long long value) {
  add(out, label, std::to_string(value));
}

std::string_view yes_no(bool value) {
  return value ? "Yes" : "No";
}

std::string_view optional_text(const std::optional<std::string>& value) {
  return value ? std::string_view(*value) : kNotSet;
}

std::string_view optional_name(const std::optional<SystemName>& value) {
  return value ? std::string_view(value->name) : kNotSet;
}

std::string_view set_text(bool is_set, const std::string& text) {
  return is_set ? std::string_view(text) : kNotSet;
}

// asctime(localtime(&t)) without its newline, and without asctime's static buffer or locale.
std::string asctime_text(std::chrono::sys_seconds when) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(when.time_since_epoch().count());
  std::tm tm{};
  if (!::localtime_r(&t, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11)
    return std::to_string(t);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3s %.3s%3d %.2d:%.2d:%.2d %d", kDays[tm.tm_wday], kMonths[tm.tm_mon],
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 1900 + tm.tm_year);
  return buffer;
}

void dump_stanza(std::string& out, const AccessStanza& s, int number) {
  out += "SOURCE (" + std::to_string(number) + "):  " + s.text.source + "\n";
  out += "==============================================================\n";
  add(out, "DESTINATION", s.destination ? std::string_view(s.text.destination) : kNotSet);
  add(out, "OPEN_PORTS", s.open_ports ? std::string_view(s.text.open_ports) : kNotSet);
  add(out, "RESTRICT_PORTS", s.restrict_ports ? std::string_view(s.text.restrict_ports) : kNotSet);
  add(out, "KEY", s.key ? kHidden : kNotSet);
  add(out, "KEY_BASE64", s.is_key_base64_set ? kHidden : kNotSet);
  add(out, "KEY_LEN", s.key ? static_cast<long long>(s.key->size()) : 0);
  add(out, "HMAC_KEY", s.hmac_key ? kHidden : kNotSet);
  add(out, "HMAC_KEY_BASE64", s.is_hmac_key_base64_set ? kHidden : kNotSet);
  add(out, "HMAC_KEY_LEN", s.hmac_key ? static_cast<long long>(s.hmac_key->size()) : 0);
  add(out, "HMAC_DIGEST_TYPE", s.hmac_digest_type ? static_cast<long long>(*s.hmac_digest_type) : 0);
  add(out, "FW_ACCESS_TIMEOUT", s.fw_access_timeout.count());
  add(out, "MAX_FW_TIMEOUT", s.max_fw_timeout.count());
  add(out, "ENABLE_CMD_EXEC", yes_no(s.enable_cmd_exec));
  add(out, "ENABLE_CMD_SUDO_EXEC", yes_no(s.enable_cmd_sudo_exec));
  add(out, "CMD_SUDO_EXEC_USER", optional_name(s.cmd_sudo_exec_user));
  add(out, "CMD_SUDO_EXEC_GROUP", optional_name(s.cmd_sudo_exec_group));
  add(out, "CMD_EXEC_USER", optional_name(s.cmd_exec_user));
  add(out, "CMD_EXEC_GROUP", optional_name(s.cmd_exec_group));
  add(out, "CMD_CYCLE_OPEN", optional_text(s.cmd_cycle_open));
  add(out, "CMD_CYCLE_CLOSE", optional_text(s.cmd_cycle_close));
  add(out, "CMD_CYCLE_TIMER", s.cmd_cycle_timer.count());
  add(out, "REQUIRE_USERNAME", optional_text(s.require_username));
  add(out, "REQUIRE_SOURCE_ADDRESS", yes_no(s.require_source_address));
  add(out, "FORCE_NAT (ip)", s.force_nat ? std::string_view(s.force_nat->ip) : kNotSet);
  add(out, "FORCE_NAT (proto)", kNotSet);  // fwknop 2.6.10 never sets it
  add(out, "FORCE_NAT (port)", s.force_nat ? s.force_nat->port : 0);
  add(out, "FORCE_SNAT (ip)", optional_text(s.force_snat));
  add(out, "FORCE_MASQUERADE", yes_no(s.force_masquerade));
  add(out, "DISABLE_DNAT", yes_no(s.disable_dnat));
  add(out, "FORWARD_ALL", yes_no(s.forward_all));
  add(out, "ACCESS_EXPIRE", s.access_expire ? asctime_text(*s.access_expire) : std::string(kNotSet));
  add(out, "GPG_HOME_DIR", optional_name(s.gpg_home_dir));
  add(out, "GPG_EXE", optional_text(s.gpg_exe));
  add(out, "GPG_DECRYPT_ID", optional_text(s.gpg_decrypt_id));
  add(out, "GPG_DECRYPT_PW", s.gpg_decrypt_pw ? kHidden : kNotSet);
  add(out, "GPG_REQUIRE_SIG", yes_no(s.gpg_require_sig));
  add(out, "GPG_IGNORE_SIG_VERIFY_ERROR", yes_no(s.gpg_ignore_sig_verify_error));
  add(out, "GPG_REMOTE_ID", set_text(s.is_gpg_remote_id_set, s.text.gpg_remote_id));
  add(out, "GPG_FINGERPRINT_ID", set_text(s.is_gpg_fingerprint_id_set, s.text.gpg_fingerprint_id));
  if (s.modern_client_public_key || s.modern_server_private_key) {  // sesame's own: fwknop stanzas dump as fwknopd's
    add(out, "MODERN_CLIENT_PUBLIC_KEY_BASE64",
        s.modern_client_public_key ? spa::base64_encode_padded(*s.modern_client_public_key) : std::string(kNotSet));
    add(out, "MODERN_SERVER_PRIVATE_KEY_BASE64", s.modern_server_private_key ? kHidden : kNotSet);
    add(out, "MODERN_AEAD", spa::aead_suite_name(s.modern_aead));
  }
  out += "\n";
}

}  // namespace

std::string dump_access_stanzas(std::span<const AccessStanza> stanzas) {
  std::string out = "Current fwknopd access settings:\n";
  if (stanzas.empty()) return out + "\n    ** No Access Settings Defined **\n\n";
  int number = 0;
  for (const auto& stanza : stanzas) dump_stanza(out, stanza, ++number);
  return out + "\n";
}

}  // namespace sesame::config
