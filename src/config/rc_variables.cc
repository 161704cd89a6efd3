// SPDX-License-Identifier: GPL-2.0-or-later
// The table of rc-file variables.
#include "config/rc_variables.h"

#include <array>

namespace sesame::config {
namespace {

using V = RcVariable;

constexpr std::array<RcVariableInfo, 47> kVariables{{
    {V::kDigestType, "DIGEST_TYPE", false, false},
    {V::kSpaServerProto, "SPA_SERVER_PROTO", false, false},
    {V::kSpaServerPort, "SPA_SERVER_PORT", false, false},
    {V::kSpaSourcePort, "SPA_SOURCE_PORT", false, false},
    {V::kFwTimeout, "FW_TIMEOUT", false, false},
    {V::kAllowIp, "ALLOW_IP", false, false},
    {V::kTimeOffset, "TIME_OFFSET", false, false},
    {V::kEncryptionMode, "ENCRYPTION_MODE", false, false},
    {V::kUseGpg, "USE_GPG", false, false},
    {V::kUseGpgAgent, "USE_GPG_AGENT", false, false},
    {V::kGpgRecipient, "GPG_RECIPIENT", false, true},
    {V::kGpgSigner, "GPG_SIGNER", false, true},
    {V::kGpgHomeDir, "GPG_HOMEDIR", false, false},
    {V::kGpgExe, "GPG_EXE", false, false},
    {V::kGpgSigningPw, "GPG_SIGNING_PW", true, true},
    {V::kGpgSigningPwBase64, "GPG_SIGNING_PW_BASE64", true, true},
    {V::kGpgNoSigningPw, "GPG_NO_SIGNING_PW", false, false},
    {V::kSpoofUser, "SPOOF_USER", false, false},
    {V::kSpoofSourceIp, "SPOOF_SOURCE_IP", false, false},
    {V::kAccess, "ACCESS", false, false},
    {V::kSpaServer, "SPA_SERVER", false, false},
    {V::kRandPort, "RAND_PORT", false, false},
    {V::kKey, "KEY", true, true},
    {V::kKeyBase64, "KEY_BASE64", true, true},
    {V::kHmacDigestType, "HMAC_DIGEST_TYPE", false, false},
    {V::kHmacKeyBase64, "HMAC_KEY_BASE64", true, true},
    {V::kHmacKey, "HMAC_KEY", true, true},
    {V::kUseHmac, "USE_HMAC", false, false},
    {V::kUseWgetUserAgent, "USE_WGET_USER_AGENT", false, false},
    {V::kKeyFile, "KEY_FILE", false, false},
    {V::kHmacKeyFile, "HMAC_KEY_FILE", false, false},
    {V::kNatAccess, "NAT_ACCESS", false, false},
    {V::kHttpUserAgent, "HTTP_USER_AGENT", false, false},
    {V::kResolveUrl, "RESOLVE_URL", false, false},
    {V::kServerResolveIpv4, "SERVER_RESOLVE_IPV4", false, false},
    {V::kNatLocal, "NAT_LOCAL", false, false},
    {V::kNatRandPort, "NAT_RAND_PORT", false, false},
    {V::kNatPort, "NAT_PORT", false, false},
    {V::kVerbose, "VERBOSE", false, false},
    {V::kResolveIpHttp, "RESOLVE_IP_HTTP", false, false},
    {V::kResolveIpHttps, "RESOLVE_IP_HTTPS", false, false},
    {V::kResolveHttpOnly, "RESOLVE_HTTP_ONLY", false, false},
    {V::kWgetCmd, "WGET_CMD", false, false},
    {V::kNoSaveArgs, "NO_SAVE_ARGS", false, false},
    {V::kModernPrivateKeyBase64, "MODERN_PRIVATE_KEY_BASE64", true, true},
    {V::kModernServerPublicKeyBase64, "MODERN_SERVER_PUBLIC_KEY_BASE64", false, true},
    {V::kModernAead, "MODERN_AEAD", false, false},
}};

// The table is indexed by the enum: a reordering of either must fail the build, not mislabel a variable.
constexpr bool table_matches_enum() {
  for (std::size_t i = 0; i < kVariables.size(); ++i)
    if (static_cast<std::size_t>(kVariables[i].variable) != i) return false;
  return kVariables.back().variable == V::kModernAead;
}
static_assert(table_matches_enum());

}  // namespace

std::span<const RcVariableInfo> rc_variables() {
  return kVariables;
}

const RcVariableInfo& rc_variable_info(RcVariable variable) {
  return kVariables[static_cast<std::size_t>(variable)];
}

std::optional<RcVariable> find_rc_variable(std::string_view name) {
  for (const auto& info : kVariables)
    if (info.name == name) return info.variable;
  return std::nullopt;
}

}  // namespace sesame::config
