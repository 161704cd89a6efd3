// SPDX-License-Identifier: GPL-2.0-or-later
// The meaning of each rc-file variable (fwknop's parse_rc_param, client/config_init.c), with its checks.
#include "config/rc_settings.h"
#include "config/config_text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "config/rc_variables.h"
#include "config/setting_values.h"
#include "spa/aead.h"
#include "spa/base64.h"
#include "spa/field_rules.h"
#include "spa/types.h"
#include "spa/x25519.h"

namespace sesame::config {
namespace {

constexpr std::uint32_t kMaxFwTimeout = 65536;  // the client-timeout field every decoder accepts
constexpr int kMaxVerbosity = 4;                // fwknop's LOG_LAST_VERBOSITY - 1

std::optional<std::uint32_t> parse_decimal(std::string_view text, std::uint32_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

// Applies one "VARIABLE value" line; returns the problem, without the file:line prefix, if there is one.
class SettingApplier {
 public:
  explicit SettingApplier(ClientSettings& settings) : settings_(settings) {}

  std::optional<std::string> apply(const RcSetting& setting) {
    const auto variable = find_rc_variable(setting.variable);
    if (!variable) return unknown_variable(setting.variable);
    name_ = rc_variable_info(*variable).name;
    value_ = setting.value_text();
    return apply(*variable);
  }

 private:
  static std::string unknown_variable(std::string_view name) {
    std::string message = printable(name) + ": unknown variable";
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
    if (upper != name && find_rc_variable(upper)) message += " (names are case-sensitive: " + upper + ")";
    return message;
  }

  std::string is_not(std::string_view expectation) const {
    return std::string(name_) + ": \"" + printable(value_) + "\" is not " + std::string(expectation);
  }

  bool yes() const { return parse_yes_no(value_); }
  std::string text() const { return std::string(value_); }
  SecretBytes secret() const { return SecretBytes::from_text(value_); }

  std::optional<std::string> set_port(std::optional<std::uint16_t>& field) {
    const auto port = parse_port(value_);
    if (!port) return is_not("a port (0-65535)");
    field = *port;
    return std::nullopt;
  }

  std::optional<std::string> set_digest(std::optional<spa::DigestType>& field) {
    const auto digest = spa::parse_digest_name(value_);
    if (!digest) return is_not("a digest (md5, sha1, sha256, sha384, sha512, sha3_256, sha3_512)");
    field = *digest;
    return std::nullopt;
  }

  static bool is_x25519_key(std::string_view value) {
    return spa::is_base64_text(value) && spa::base64_decoded_size(value) == spa::kX25519KeySize;
  }

  // The value itself stays unechoed: only what is wrong with it is said.
  std::optional<std::string> set_base64_secret(std::optional<SecretBytes>& field) {
    if (!spa::is_base64_text(value_)) return std::string(name_) + ": not valid base64";
    field = secret();
    return std::nullopt;
  }

  std::optional<std::string> set_allow_ip() {
    // Each form replaces whatever an earlier section said, so that the last ALLOW_IP read is the one used.
    settings_.allow_ip.reset();
    settings_.source_ip = false;
    settings_.resolve_ip = false;
    if (iequals(value_, "source")) {
      settings_.source_ip = true;
    } else if (iequals(value_, "resolve")) {
      settings_.resolve_ip = true;
    } else {
      if (!spa::is_valid_allow_address(value_)) return is_not("an IPv4 or IPv6 address, \"source\" or \"resolve\"");
      settings_.allow_ip = text();
    }
    return std::nullopt;
  }

  std::optional<std::string> set_time_offset() {
    const bool is_minus = !value_.empty() && value_.front() == '-';
    const auto seconds = parse_time_offset(is_minus ? value_.substr(1) : value_);
    if (!seconds) return is_not("a time offset ([-]<digits>[s|m|h|d], at most 65536 units)");
    settings_.time_offset_s = is_minus ? -*seconds : *seconds;
    return std::nullopt;
  }

  std::optional<std::string> set_verbose() {
    // fwknop writes VERBOSE Y for one -v, and N (read as 0 by its strtol) for none.
    if (yes()) {
      settings_.verbose = 1;
    } else if (value_ == "N" || value_ == "n") {
      settings_.verbose = 0;
    } else if (const auto level = parse_decimal(value_, kMaxVerbosity)) {
      settings_.verbose = static_cast<int>(*level);
    } else {
      return is_not("Y, N or a verbosity level (0-4)");
    }
    return std::nullopt;
  }

  std::optional<std::string> apply(RcVariable variable) {
    auto& s = settings_;
    switch (variable) {
      case RcVariable::kDigestType:
        return set_digest(s.digest_type);
      case RcVariable::kSpaServerProto:
        if (const auto protocol = parse_spa_protocol(value_)) {
          s.spa_server_proto = *protocol;
          return std::nullopt;
        }
        return is_not("a protocol (udp, tcp, udpraw, tcpraw, icmp, http)");
      case RcVariable::kSpaServerPort:
        return set_port(s.spa_server_port);
      case RcVariable::kSpaSourcePort:
        return set_port(s.spa_source_port);
      case RcVariable::kFwTimeout:
        if (const auto timeout = parse_decimal(value_, kMaxFwTimeout)) {
          s.fw_timeout_s = *timeout;
          return std::nullopt;
        }
        return is_not("a timeout in seconds (0-65536)");
      case RcVariable::kAllowIp:
        return set_allow_ip();
      case RcVariable::kTimeOffset:
        return set_time_offset();
      case RcVariable::kEncryptionMode:
        if (const auto mode = parse_client_encryption_mode(value_)) {
          s.encryption_mode = *mode;
          return std::nullopt;
        }
        return is_not("an encryption mode (CBC, ECB, CFB, OFB, CTR, legacy, Asymmetric)");
      case RcVariable::kUseGpg:
        s.use_gpg = yes();
        break;
      case RcVariable::kUseGpgAgent:
        s.use_gpg_agent = yes();
        break;
      case RcVariable::kGpgRecipient:
        s.gpg_recipient = text();
        break;
      case RcVariable::kGpgSigner:
        s.gpg_signer = text();
        break;
      case RcVariable::kGpgHomeDir:
        s.gpg_home_dir = text();
        break;
      case RcVariable::kGpgExe:
        s.gpg_exe = text();
        break;
      case RcVariable::kGpgSigningPw:
        s.gpg_signing_pw = secret();
        break;
      case RcVariable::kGpgSigningPwBase64:
        return set_base64_secret(s.gpg_signing_pw_base64);
      case RcVariable::kGpgNoSigningPw:
        s.gpg_no_signing_pw = yes();
        break;
      case RcVariable::kSpoofUser:
        s.spoof_user = text();
        break;
      case RcVariable::kSpoofSourceIp:
        // fwknop checks it only after reading the whole file ("Invalid spoof IP"); here it gets its line.
        if (!spa::is_valid_allow_ip(value_)) return is_not("an IPv4 address");
        s.spoof_source_ip = text();
        break;
      case RcVariable::kAccess:
        s.access = text();
        break;
      case RcVariable::kSpaServer:
        s.spa_server = text();
        break;
      case RcVariable::kRandPort:
        s.rand_port = yes();
        break;
      case RcVariable::kKey:
        s.key = secret();
        break;
      case RcVariable::kKeyBase64:
        return set_base64_secret(s.key_base64);
      case RcVariable::kHmacDigestType:
        return set_digest(s.hmac_digest_type);  // does not by itself enable HMAC, as in fwknop
      case RcVariable::kHmacKeyBase64:
        s.use_hmac = true;
        return set_base64_secret(s.hmac_key_base64);
      case RcVariable::kHmacKey:
        s.hmac_key = secret();
        s.use_hmac = true;
        break;
      case RcVariable::kUseHmac:
        s.use_hmac = yes();
        break;
      case RcVariable::kUseWgetUserAgent:
        s.use_wget_user_agent = yes();
        break;
      case RcVariable::kKeyFile:
        s.key_file = text();
        break;
      case RcVariable::kHmacKeyFile:
        // fwknop 2.6.10 stores this into the encryption key-file slot (a bug): here it is the HMAC key file,
        // and like --get-hmac-key it enables HMAC.
        s.hmac_key_file = text();
        s.use_hmac = true;
        break;
      case RcVariable::kNatAccess:
        s.nat_access = text();
        break;
      case RcVariable::kHttpUserAgent:
        s.user_agent = text();
        break;
      case RcVariable::kResolveUrl:
        s.resolve_url = text();
        break;
      case RcVariable::kServerResolveIpv4:
        s.server_resolve_ipv4 = yes();
        break;
      case RcVariable::kNatLocal:
        s.nat_local = yes();
        break;
      case RcVariable::kNatRandPort:
        s.nat_rand_port = yes();
        break;
      case RcVariable::kNatPort:
        return set_port(s.nat_port);
      case RcVariable::kVerbose:
        return set_verbose();
      case RcVariable::kResolveIpHttp:  // both mean HTTPS resolution, as -R does
      case RcVariable::kResolveIpHttps:
        s.resolve_ip = yes();
        break;
      case RcVariable::kResolveHttpOnly:
        s.resolve_http_only = yes();  // unlike --resolve-http-only, does not by itself enable -R
        break;
      case RcVariable::kWgetCmd:
        s.wget_cmd = text();
        break;
      case RcVariable::kNoSaveArgs:
        s.no_save_args = yes();
        break;
      case RcVariable::kModernPrivateKeyBase64:
        // A secret: what is wrong is said, the value is not echoed.
        if (!is_x25519_key(value_))
          return std::string(name_) + ": not a base64 X25519 private key (32 bytes; sesame --key-gen --modern)";
        s.modern_private_key_base64 = secret();
        break;
      case RcVariable::kModernServerPublicKeyBase64:
        if (!is_x25519_key(value_)) return is_not("a base64 X25519 public key (32 bytes; sesamed --key-gen --modern)");
        s.modern_server_public_key_base64 = text();
        break;
      case RcVariable::kModernAead:
        if (const auto suite = spa::parse_aead_suite(value_)) {
          s.modern_aead = *suite;
          return std::nullopt;
        }
        return is_not("chacha20-poly1305 or aes-256-gcm");
    }
    return std::nullopt;
  }

  ClientSettings& settings_;
  std::string_view name_;
  std::string_view value_;
};

// The structural errors of the stanza at `index`: those between its "[name]" line and the next stanza's.
void add_structural_errors(const RcFile& file, std::size_t index, std::vector<ConfigError>& errors) {
  const int first = file.stanzas[index].line;
  const bool is_last = index + 1 == file.stanzas.size();
  const int end = is_last ? 0 : file.stanzas[index + 1].line;
  auto it = std::upper_bound(file.errors.begin(), file.errors.end(), first,
                             [](int line, const ConfigError& error) { return line < error.line; });
  for (; it != file.errors.end() && (is_last || it->line < end); ++it) errors.push_back(*it);
}

void apply_stanza(const RcFile& file, std::size_t index, ClientSettings& settings, std::vector<ConfigError>& errors) {
  std::vector<ConfigError> found;
  add_structural_errors(file, index, found);
  SettingApplier applier(settings);
  for (const auto& setting : file.stanzas[index].settings)
    if (auto problem = applier.apply(setting)) found.push_back({file.file_name, setting.line, std::move(*problem)});
  std::stable_sort(found.begin(), found.end(),
                   [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  errors.insert(errors.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
}

}  // namespace

Result<ClientSettings, std::vector<ConfigError>> settings_from_rc(const RcFile& file,
                                                                  std::optional<std::string_view> stanza) {
  ClientSettings settings;
  std::vector<ConfigError> errors;
  const auto apply_all = [&](std::string_view name) {
    for (std::size_t i = 0; i < file.stanzas.size(); ++i)
      if (iequals(file.stanzas[i].name, name)) apply_stanza(file, i, settings, errors);
  };
  apply_all("default");
  // "-n default" reads [default] once, not twice (fwknop reads it twice, to the same effect).
  if (stanza && !iequals(*stanza, "default")) apply_all(*stanza);
  if (!errors.empty()) return fail(std::move(errors));
  return settings;
}

}  // namespace sesame::config
