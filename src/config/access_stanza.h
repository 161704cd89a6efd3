// SPDX-License-Identifier: GPL-2.0-or-later
// AccessStanza: one access.conf stanza (server.md §3.2), from its SOURCE line to the next, with fwknopd's
// defaults applied. Filled by access_parser.h, completed by access_loader.h, read by the server.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/secret_bytes.h"
#include "config/network_match.h"
#include "config/port_list.h"
#include "spa/aead.h"
#include "spa/types.h"
#include "spa/x25519.h"

namespace sesame::config {

// A value the loader checks against the system (a user, a group, a directory); `line` places its error.
struct SystemName {
  std::string name;
  int line = 0;  // 0: not from access.conf (GPG_HOME_DIR's fwknopd.conf default), not checked
};

struct ForceNat {
  std::string ip;  // IPv4, as written
  std::uint16_t port = 0;
};

// Values as written (trimmed), for `sesamed -D`, which prints them as fwknopd does.
struct AccessStanzaText {
  std::string source;
  std::string destination;
  std::string open_ports;
  std::string restrict_ports;
  std::string gpg_remote_id;
  std::string gpg_fingerprint_id;
};

struct AccessStanza {
  std::string file;  // where the SOURCE line is
  int line = 0;

  NetworkList source;                      // SOURCE
  std::optional<NetworkList> destination;  // DESTINATION: unset matches every destination
  std::optional<PortList> open_ports;      // OPEN_PORTS: when set, every requested port must be listed
  std::optional<PortList> restrict_ports;  // RESTRICT_PORTS: any requested port listed denies
  AccessStanzaText text;

  // Rijndael. KEY and KEY_BASE64 set the same key, the later line wins. In ENCRYPTION_MODE legacy a key longer
  // than 16 bytes is cut to 16 (with a warning), as fwknopd does.
  std::optional<SecretBytes> key;
  bool is_key_base64_set = false;       // a KEY_BASE64 line was read (fwknopd -D shows KEY and KEY_BASE64 apart)
  std::optional<SecretBytes> hmac_key;  // HMAC_KEY or HMAC_KEY_BASE64: an empty or missing key means no HMAC
  bool is_hmac_key_base64_set = false;
  std::optional<spa::DigestType> hmac_digest_type;  // HMAC_DIGEST_TYPE; sha256 when there is an HMAC key
  spa::EncryptionMode encryption_mode = spa::kDefaultEncryptionMode;  // includes kAsymmetric and kCbcLegacyIv

  // GnuPG. GPG_ALLOW_NO_PW Y sets an empty passphrase, which counts as "GPG enabled".
  std::optional<SystemName> gpg_home_dir;  // the stanza's, else fwknopd.conf's GPG_HOME_DIR for GPG stanzas
  std::optional<std::string> gpg_exe;
  std::optional<std::string> gpg_decrypt_id;
  std::optional<SecretBytes> gpg_decrypt_pw;
  bool gpg_allow_no_pw = false;
  bool gpg_require_sig = false;  // turned on for every GPG stanza without GPG_DISABLE_SIG Y
  bool gpg_disable_sig = false;
  bool gpg_ignore_sig_verify_error = false;
  std::vector<std::string> gpg_remote_ids;       // GPG_REMOTE_ID list: signer IDs, exact strings
  std::vector<std::string> gpg_fingerprint_ids;  // GPG_FINGERPRINT_ID list: signer fingerprints, exact strings
  bool is_gpg_remote_id_set = false;
  bool is_gpg_fingerprint_id_set = false;

  std::chrono::seconds fw_access_timeout{30};  // values < 1 mean 30
  std::chrono::seconds max_fw_timeout{300};    // caps a client's timeout; values < 1 mean 300
  // ACCESS_EXPIRE (local midnight of MM/DD/YYYY) or ACCESS_EXPIRE_EPOCH, the later line wins; epoch 0 = never.
  // Seconds, not system_clock's nanoseconds: "12/31/9999" must not overflow.
  std::optional<std::chrono::sys_seconds> access_expire;

  bool enable_cmd_exec = false;
  bool enable_cmd_sudo_exec = false;
  std::optional<SystemName> cmd_sudo_exec_user;
  std::optional<SystemName> cmd_sudo_exec_group;
  std::optional<SystemName> cmd_exec_user;
  std::optional<SystemName> cmd_exec_group;
  // Resolved by the loader: CMD_EXEC_USER's uid, and CMD_EXEC_GROUP's gid or else that user's primary gid.
  std::optional<uid_t> cmd_exec_uid;
  std::optional<gid_t> cmd_exec_gid;

  std::optional<std::string> cmd_cycle_open;   // < 256 characters
  std::optional<std::string> cmd_cycle_close;  // "NONE..." = no close command
  bool cmd_cycle_do_close = false;             // CMD_CYCLE_CLOSE set and not starting with NONE
  std::chrono::seconds cmd_cycle_timer{0};     // required (1-8388608) when there is a close command

  std::optional<std::string> require_username;
  bool require_source_address = false;  // REQUIRE_SOURCE_ADDRESS or its synonym REQUIRE_SOURCE

  std::optional<ForceNat> force_nat;  // FORWARD_ALL with FORCE_SNAT/FORCE_MASQUERADE implies 0.0.0.0 0
  std::optional<std::string> force_snat;
  bool force_masquerade = false;
  bool disable_dnat = false;
  bool forward_all = false;

  // sesame's modern mode (docs/modern-mode.md): this client's X25519 public key, this server's private key.
  std::optional<spa::X25519PublicKey> modern_client_public_key;  // MODERN_CLIENT_PUBLIC_KEY_BASE64
  std::optional<SecretBytes> modern_server_private_key;          // MODERN_SERVER_PRIVATE_KEY_BASE64
  spa::AeadSuite modern_aead = spa::kDefaultAeadSuite;           // MODERN_AEAD

  bool uses_modern() const { return modern_client_public_key && modern_server_private_key; }
  // Keys for fwknop's packets (Rijndael or GPG); a modern-only stanza has none.
  bool uses_fwknop_keys() const { return uses_rijndael() || uses_gpg(); }
  bool uses_rijndael() const { return key && !key->empty(); }
  bool uses_gpg() const { return gpg_decrypt_pw.has_value(); }
  bool uses_hmac() const { return hmac_key && !hmac_key->empty(); }
  bool is_expired(std::chrono::system_clock::time_point now) const {
    return access_expire && std::chrono::floor<std::chrono::seconds>(now) > *access_expire;
  }
};

}  // namespace sesame::config
