// SPDX-License-Identifier: GPL-2.0-or-later
// Merging two ClientSettings field by field.
#include "config/client_settings.h"

#include <utility>

namespace sesame::config {
namespace {

template <class T>
void take(std::optional<T>& base, std::optional<T>&& override) {
  if (override) base = std::move(override);
}

}  // namespace

void merge_settings(ClientSettings& base, ClientSettings&& overrides) {
  // Every field of ClientSettings, in declaration order; tests/unit/config/client_settings_test.cc sets each one.
  take(base.access, std::move(overrides.access));
  take(base.allow_ip, std::move(overrides.allow_ip));
  take(base.source_ip, std::move(overrides.source_ip));
  take(base.resolve_ip, std::move(overrides.resolve_ip));
  take(base.resolve_http_only, std::move(overrides.resolve_http_only));
  take(base.resolve_url, std::move(overrides.resolve_url));
  take(base.wget_cmd, std::move(overrides.wget_cmd));
  take(base.use_wget_user_agent, std::move(overrides.use_wget_user_agent));
  take(base.user_agent, std::move(overrides.user_agent));
  take(base.spoof_user, std::move(overrides.spoof_user));
  take(base.time_offset_s, std::move(overrides.time_offset_s));
  take(base.fw_timeout_s, std::move(overrides.fw_timeout_s));

  take(base.spa_server, std::move(overrides.spa_server));
  take(base.server_resolve_ipv4, std::move(overrides.server_resolve_ipv4));
  take(base.spa_server_port, std::move(overrides.spa_server_port));
  take(base.spa_server_proto, std::move(overrides.spa_server_proto));
  take(base.spa_source_port, std::move(overrides.spa_source_port));
  take(base.spoof_source_ip, std::move(overrides.spoof_source_ip));
  take(base.rand_port, std::move(overrides.rand_port));

  take(base.nat_access, std::move(overrides.nat_access));
  take(base.nat_local, std::move(overrides.nat_local));
  take(base.nat_port, std::move(overrides.nat_port));
  take(base.nat_rand_port, std::move(overrides.nat_rand_port));

  take(base.digest_type, std::move(overrides.digest_type));
  take(base.encryption_mode, std::move(overrides.encryption_mode));
  take(base.use_hmac, std::move(overrides.use_hmac));
  take(base.hmac_digest_type, std::move(overrides.hmac_digest_type));
  take(base.key, std::move(overrides.key));
  take(base.key_base64, std::move(overrides.key_base64));
  take(base.hmac_key, std::move(overrides.hmac_key));
  take(base.hmac_key_base64, std::move(overrides.hmac_key_base64));
  take(base.key_file, std::move(overrides.key_file));
  take(base.hmac_key_file, std::move(overrides.hmac_key_file));
  take(base.modern_private_key_base64, std::move(overrides.modern_private_key_base64));
  take(base.modern_server_public_key_base64, std::move(overrides.modern_server_public_key_base64));
  take(base.modern_aead, std::move(overrides.modern_aead));

  take(base.use_gpg, std::move(overrides.use_gpg));
  take(base.use_gpg_agent, std::move(overrides.use_gpg_agent));
  take(base.gpg_no_signing_pw, std::move(overrides.gpg_no_signing_pw));
  take(base.gpg_recipient, std::move(overrides.gpg_recipient));
  take(base.gpg_signer, std::move(overrides.gpg_signer));
  take(base.gpg_home_dir, std::move(overrides.gpg_home_dir));
  take(base.gpg_exe, std::move(overrides.gpg_exe));
  take(base.gpg_signing_pw, std::move(overrides.gpg_signing_pw));
  take(base.gpg_signing_pw_base64, std::move(overrides.gpg_signing_pw_base64));

  take(base.verbose, std::move(overrides.verbose));
  take(base.no_save_args, std::move(overrides.no_save_args));
}

}  // namespace sesame::config
