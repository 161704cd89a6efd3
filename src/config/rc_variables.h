// SPDX-License-Identifier: GPL-2.0-or-later
// The variables of the client's rc file (client.md §3), in the order --save-rc-stanza writes them (§4), with
// the two properties the reader and the writer need: which ones hold a secret, which ones are "critical".
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sesame::config {

// fwknop's fko_var_array order: the order of the lines --save-rc-stanza writes.
enum class RcVariable {
  kDigestType,
  kSpaServerProto,
  kSpaServerPort,
  kSpaSourcePort,
  kFwTimeout,
  kAllowIp,
  kTimeOffset,
  kEncryptionMode,
  kUseGpg,
  kUseGpgAgent,
  kGpgRecipient,
  kGpgSigner,
  kGpgHomeDir,
  kGpgExe,
  kGpgSigningPw,
  kGpgSigningPwBase64,
  kGpgNoSigningPw,
  kSpoofUser,
  kSpoofSourceIp,
  kAccess,
  kSpaServer,
  kRandPort,
  kKey,
  kKeyBase64,
  kHmacDigestType,
  kHmacKeyBase64,
  kHmacKey,
  kUseHmac,
  kUseWgetUserAgent,
  kKeyFile,
  kHmacKeyFile,
  kNatAccess,
  kHttpUserAgent,
  kResolveUrl,
  kServerResolveIpv4,
  kNatLocal,
  kNatRandPort,
  kNatPort,
  kVerbose,
  kResolveIpHttp,
  kResolveIpHttps,
  kResolveHttpOnly,
  kWgetCmd,
  kNoSaveArgs,
  // sesame's modern mode (docs/modern-mode.md); fwknop has no such variables.
  kModernPrivateKeyBase64,
  kModernServerPublicKeyBase64,
  kModernAead,
};

struct RcVariableInfo {
  RcVariable variable;
  std::string_view name;  // as written in the file: "KEY_BASE64"
  bool is_secret;         // a key or passphrase: never echoed in a message
  bool is_critical;       // --save-rc-stanza asks before replacing it (fwknop's critical_var_array)
};

// Every variable, in save order.
std::span<const RcVariableInfo> rc_variables();
const RcVariableInfo& rc_variable_info(RcVariable variable);
// Exact, case-sensitive lookup, as fwknop's.
std::optional<RcVariable> find_rc_variable(std::string_view name);

}  // namespace sesame::config
