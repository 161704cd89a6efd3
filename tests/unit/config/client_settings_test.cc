// SPDX-License-Identifier: GPL-2.0-or-later
// merge_settings: the command line over the named stanza over [default], field by field.
#include "config/client_settings.h"

#include <gtest/gtest.h>

namespace sesame::config {
namespace {

TEST(RcMergeSettings, OverridesOnlyFieldsThatAreSet) {
  ClientSettings base;
  base.access = "tcp/22";
  base.spa_server = "rc-host";
  base.key = SecretBytes::from_text("rc-key");
  base.use_hmac = true;
  ClientSettings overrides;
  overrides.spa_server = "cli-host";
  overrides.use_hmac = false;
  overrides.verbose = 2;
  merge_settings(base, std::move(overrides));
  EXPECT_EQ(base.access, "tcp/22");
  EXPECT_EQ(base.spa_server, "cli-host");
  EXPECT_EQ(base.key->as_text(), "rc-key");
  EXPECT_EQ(base.use_hmac, false);
  EXPECT_EQ(base.verbose, 2);
}

// Every field, so that a field added to ClientSettings but not to merge_settings shows here.
TEST(RcMergeSettings, EveryFieldIsMerged) {
  ClientSettings o;
  o.access = "a";
  o.allow_ip = "1.2.3.4";
  o.source_ip = true;
  o.resolve_ip = true;
  o.resolve_http_only = true;
  o.resolve_url = "u";
  o.wget_cmd = "w";
  o.use_wget_user_agent = true;
  o.user_agent = "ua";
  o.spoof_user = "su";
  o.time_offset_s = -5;
  o.fw_timeout_s = 7;
  o.spa_server = "s";
  o.server_resolve_ipv4 = true;
  o.spa_server_port = 1;
  o.spa_server_proto = SpaProtocol::kIcmp;
  o.spa_source_port = 2;
  o.spoof_source_ip = "5.6.7.8";
  o.rand_port = true;
  o.nat_access = "n,1";
  o.nat_local = true;
  o.nat_port = 3;
  o.nat_rand_port = true;
  o.digest_type = spa::DigestType::kMd5;
  o.encryption_mode = spa::EncryptionMode::kOfb;
  o.use_hmac = true;
  o.hmac_digest_type = spa::DigestType::kSha1;
  o.key = SecretBytes::from_text("k");
  o.key_base64 = SecretBytes::from_text("kb");
  o.hmac_key = SecretBytes::from_text("h");
  o.hmac_key_base64 = SecretBytes::from_text("hb");
  o.key_file = "kf";
  o.hmac_key_file = "hf";
  o.use_gpg = true;
  o.use_gpg_agent = true;
  o.gpg_no_signing_pw = true;
  o.gpg_recipient = "r";
  o.gpg_signer = "g";
  o.gpg_home_dir = "d";
  o.gpg_exe = "e";
  o.gpg_signing_pw = SecretBytes::from_text("p");
  o.gpg_signing_pw_base64 = SecretBytes::from_text("pb");
  o.verbose = 4;
  o.no_save_args = true;
  ClientSettings b;
  merge_settings(b, std::move(o));
  EXPECT_EQ(b.access, "a");
  EXPECT_EQ(b.allow_ip, "1.2.3.4");
  EXPECT_EQ(b.source_ip, true);
  EXPECT_EQ(b.resolve_ip, true);
  EXPECT_EQ(b.resolve_http_only, true);
  EXPECT_EQ(b.resolve_url, "u");
  EXPECT_EQ(b.wget_cmd, "w");
  EXPECT_EQ(b.use_wget_user_agent, true);
  EXPECT_EQ(b.user_agent, "ua");
  EXPECT_EQ(b.spoof_user, "su");
  EXPECT_EQ(b.time_offset_s, -5);
  EXPECT_EQ(b.fw_timeout_s, 7u);
  EXPECT_EQ(b.spa_server, "s");
  EXPECT_EQ(b.server_resolve_ipv4, true);
  EXPECT_EQ(b.spa_server_port, 1);
  EXPECT_EQ(b.spa_server_proto, SpaProtocol::kIcmp);
  EXPECT_EQ(b.spa_source_port, 2);
  EXPECT_EQ(b.spoof_source_ip, "5.6.7.8");
  EXPECT_EQ(b.rand_port, true);
  EXPECT_EQ(b.nat_access, "n,1");
  EXPECT_EQ(b.nat_local, true);
  EXPECT_EQ(b.nat_port, 3);
  EXPECT_EQ(b.nat_rand_port, true);
  EXPECT_EQ(b.digest_type, spa::DigestType::kMd5);
  EXPECT_EQ(b.encryption_mode, spa::EncryptionMode::kOfb);
  EXPECT_EQ(b.use_hmac, true);
  EXPECT_EQ(b.hmac_digest_type, spa::DigestType::kSha1);
  EXPECT_EQ(b.key->as_text(), "k");
  EXPECT_EQ(b.key_base64->as_text(), "kb");
  EXPECT_EQ(b.hmac_key->as_text(), "h");
  EXPECT_EQ(b.hmac_key_base64->as_text(), "hb");
  EXPECT_EQ(b.key_file, "kf");
  EXPECT_EQ(b.hmac_key_file, "hf");
  EXPECT_EQ(b.use_gpg, true);
  EXPECT_EQ(b.use_gpg_agent, true);
  EXPECT_EQ(b.gpg_no_signing_pw, true);
  EXPECT_EQ(b.gpg_recipient, "r");
  EXPECT_EQ(b.gpg_signer, "g");
  EXPECT_EQ(b.gpg_home_dir, "d");
  EXPECT_EQ(b.gpg_exe, "e");
  EXPECT_EQ(b.gpg_signing_pw->as_text(), "p");
  EXPECT_EQ(b.gpg_signing_pw_base64->as_text(), "pb");
  EXPECT_EQ(b.verbose, 4);
  EXPECT_EQ(b.no_save_args, true);
}

}  // namespace
}  // namespace sesame::config
