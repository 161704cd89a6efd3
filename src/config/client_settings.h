// SPDX-License-Identifier: GPL-2.0-or-later
// ClientSettings: every setting of the sesame/fwknop client, from an rc-file stanza or the command line
// (client.md §2, §3). An empty optional means "not given", so that the command line overrides the rc file
// field by field and --save-rc-stanza writes exactly what was given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/secret_bytes.h"
#include "spa/aead.h"
#include "spa/types.h"

namespace sesame::config {

// -P / SPA_SERVER_PROTO.
enum class SpaProtocol { kUdp, kTcp, kUdpRaw, kTcpRaw, kIcmp, kHttp };

struct ClientSettings {
  // What to open, and for which address.
  std::optional<std::string> access;          // ACCESS, -A: "tcp/22,udp/53"
  std::optional<std::string> allow_ip;        // ALLOW_IP, -a: an IPv4 address
  std::optional<bool> source_ip;              // ALLOW_IP source, -s: allow IP 0.0.0.0 (the packet's source)
  std::optional<bool> resolve_ip;             // ALLOW_IP resolve, RESOLVE_IP_HTTPS/HTTP, -R
  std::optional<bool> resolve_http_only;      // RESOLVE_HTTP_ONLY, --resolve-http-only
  std::optional<std::string> resolve_url;     // RESOLVE_URL, --resolve-url
  std::optional<std::string> wget_cmd;        // WGET_CMD, -w: accepted for compatibility, -R uses libcurl
  std::optional<bool> use_wget_user_agent;    // USE_WGET_USER_AGENT
  std::optional<std::string> user_agent;      // HTTP_USER_AGENT, -u
  std::optional<std::string> spoof_user;      // SPOOF_USER, -U
  std::optional<std::int64_t> time_offset_s;  // TIME_OFFSET, --time-offset-plus/minus (signed)
  std::optional<std::uint32_t> fw_timeout_s;  // FW_TIMEOUT, -f

  // Where to send it.
  std::optional<std::string> spa_server;         // SPA_SERVER, -D
  std::optional<bool> server_resolve_ipv4;       // SERVER_RESOLVE_IPV4
  std::optional<std::uint16_t> spa_server_port;  // SPA_SERVER_PORT, -p
  std::optional<SpaProtocol> spa_server_proto;   // SPA_SERVER_PROTO, -P
  std::optional<std::uint16_t> spa_source_port;  // SPA_SOURCE_PORT, -S
  std::optional<std::string> spoof_source_ip;    // SPOOF_SOURCE_IP, -Q
  std::optional<bool> rand_port;                 // RAND_PORT, -r

  // NAT.
  std::optional<std::string> nat_access;  // NAT_ACCESS, -N: "host,port"
  std::optional<bool> nat_local;          // NAT_LOCAL, --nat-local
  std::optional<std::uint16_t> nat_port;  // NAT_PORT, --nat-port
  std::optional<bool> nat_rand_port;      // NAT_RAND_PORT, --nat-rand-port

  // Algorithms and keys. Key values are kept as the text that was given (base64 still encoded), so that
  // --save-rc-stanza can write them back; they are secrets all the same.
  std::optional<spa::DigestType> digest_type;          // DIGEST_TYPE, -m
  std::optional<spa::EncryptionMode> encryption_mode;  // ENCRYPTION_MODE, -M (kAsymmetric for GPG)
  std::optional<bool> use_hmac;                        // USE_HMAC, --use-hmac
  std::optional<spa::DigestType> hmac_digest_type;     // HMAC_DIGEST_TYPE, --hmac-digest-type
  std::optional<SecretBytes> key;                      // KEY, --key-rijndael
  std::optional<SecretBytes> key_base64;               // KEY_BASE64, --key-base64-rijndael
  std::optional<SecretBytes> hmac_key;                 // HMAC_KEY, --key-hmac
  std::optional<SecretBytes> hmac_key_base64;          // HMAC_KEY_BASE64, --key-base64-hmac
  std::optional<std::string> key_file;                 // KEY_FILE, -G
  std::optional<std::string> hmac_key_file;            // HMAC_KEY_FILE, --get-hmac-key
  // sesame's modern mode (docs/modern-mode.md): set a private key and the packet is a modern one.
  std::optional<SecretBytes> modern_private_key_base64;        // MODERN_PRIVATE_KEY_BASE64
  std::optional<std::string> modern_server_public_key_base64;  // MODERN_SERVER_PUBLIC_KEY_BASE64
  std::optional<spa::AeadSuite> modern_aead;                   // MODERN_AEAD

  // GnuPG.
  std::optional<bool> use_gpg;                       // USE_GPG, -g
  std::optional<bool> use_gpg_agent;                 // USE_GPG_AGENT, --gpg-agent
  std::optional<bool> gpg_no_signing_pw;             // GPG_NO_SIGNING_PW, --gpg-no-signing-pw
  std::optional<std::string> gpg_recipient;          // GPG_RECIPIENT, --gpg-recipient-key
  std::optional<std::string> gpg_signer;             // GPG_SIGNER, --gpg-signer-key
  std::optional<std::string> gpg_home_dir;           // GPG_HOMEDIR, --gpg-home-dir
  std::optional<std::string> gpg_exe;                // GPG_EXE, --gpg-exe
  std::optional<SecretBytes> gpg_signing_pw;         // GPG_SIGNING_PW
  std::optional<SecretBytes> gpg_signing_pw_base64;  // GPG_SIGNING_PW_BASE64

  // Client behaviour.
  std::optional<int> verbose;        // VERBOSE, -v (count)
  std::optional<bool> no_save_args;  // NO_SAVE_ARGS, --no-save-args
};

// Field by field: every setting present in `overrides` replaces the one in `base` (the command line over the
// named stanza over [default]).
void merge_settings(ClientSettings& base, ClientSettings&& overrides);

}  // namespace sesame::config
