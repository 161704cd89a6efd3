// SPDX-License-Identifier: GPL-2.0-or-later
// Keys: everything one side must be configured with to encode or decode packets (nothing of it is on the wire).
#pragma once

#include "common/secret_bytes.h"
#include "spa/gpg.h"
#include "spa/types.h"

namespace sesame::spa {

struct Keys {
  EncryptionType encryption_type = EncryptionType::kRijndael;
  EncryptionMode mode = kDefaultEncryptionMode;  // Rijndael only
  SecretBytes encryption_key;                    // Rijndael passphrase: text or decoded KEY_BASE64, 1..32 bytes
  SecretBytes hmac_key;                          // empty: no HMAC (fwknop's pre-2.5 packets, legacy mode)
  DigestType hmac_type = kDefaultHmacType;       // used only with an HMAC key
  GpgEncryptParams gpg_encrypt;                  // GPG sender: recipient, optional signer
  GpgDecryptParams gpg_decrypt;                  // GPG receiver: home dir, passphrase

  bool uses_hmac() const { return !hmac_key.empty(); }
  Keys clone() const;
};

}  // namespace sesame::spa
