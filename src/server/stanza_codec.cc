// SPDX-License-Identifier: GPL-2.0-or-later
// AccessStanza -> spa::Keys -> PacketCodec.
#include "server/stanza_codec.h"

namespace sesame::server {

spa::Keys stanza_keys(const config::AccessStanza& stanza) {
  spa::Keys keys;
  if (stanza.uses_gpg()) {
    keys.encryption_type = spa::EncryptionType::kGpg;
    keys.mode = spa::EncryptionMode::kAsymmetric;
    if (stanza.gpg_home_dir) keys.gpg_decrypt.home_dir = stanza.gpg_home_dir->name;
    keys.gpg_decrypt.passphrase = stanza.gpg_decrypt_pw->clone();
    keys.gpg_decrypt.allow_no_passphrase = stanza.gpg_allow_no_pw;
  } else {
    keys.mode = stanza.encryption_mode;
    if (stanza.key) keys.encryption_key = stanza.key->clone();
  }
  if (stanza.uses_hmac()) {
    keys.hmac_key = stanza.hmac_key->clone();
    keys.hmac_type = stanza.hmac_digest_type.value_or(spa::kDefaultHmacType);
  }
  return keys;
}

spa::Result<spa::PacketCodec> make_stanza_codec(const config::AccessStanza& stanza) {
  if (stanza.uses_gpg()) {
    if (auto supported = spa::gpg_support(); !supported) return fail(supported.error());
  }
  return spa::PacketCodec::create(stanza_keys(stanza));
}

spa::Result<spa::ModernCodec> make_stanza_modern_codec(const config::AccessStanza& stanza) {
  return spa::ModernCodec::for_server(stanza.modern_aead, *stanza.modern_server_private_key,
                                      *stanza.modern_client_public_key);
}

}  // namespace sesame::server
