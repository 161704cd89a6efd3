// SPDX-License-Identifier: GPL-2.0-or-later
// GnuPG layer (protocol.md §5): binary OpenPGP encrypt(+sign) to one recipient and decrypt+verify, via gpgme.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret_bytes.h"
#include "spa/error.h"

namespace sesame::spa {

struct GpgEncryptParams {
  std::string home_dir;           // GnuPG home (GPG_HOME_DIR / --gpg-home-dir); empty = gpg's default
  std::string recipient;          // key id, fingerprint or other gpg key spec; must match exactly one public key
  std::string signer;             // empty = encrypt only; else must match exactly one secret key
  SecretBytes signer_passphrase;  // empty for a key without passphrase (--gpg-no-signing-pw)
};

// Encrypts to exactly one recipient (trust forced, no encrypt-to keys from gpg.conf), binary (no armour); with a
// signer, encrypt+sign in one pass. The result starts with a public-key-encrypted-session-key packet (0x84/0x85).
Result<std::vector<std::uint8_t>> gpg_encrypt(std::string_view plaintext, const GpgEncryptParams& params);

// The first signature of a decrypted message, as fwknop stores it.
struct GpgSignature {
  bool present = false;     // the message carried at least one signature
  bool good = false;        // status "no error" and validity >= marginal (3): fwknop's GPG_REQUIRE_SIG test
  std::string fingerprint;  // as gpg reports it, uppercase hex: the full fingerprint when the key is known
  std::string id;           // last 8 hex chars of `fingerprint`: fwknop's signature ID (GPG_REMOTE_ID)
  int validity = 0;         // gpgme_validity_t: 0 unknown, 1 undefined, 2 never, 3 marginal, 4 full, 5 ultimate
  std::string status_text;  // gpgme_strerror of the signature status ("Success", "Bad signature", ...)
};

struct GpgDecryptParams {
  std::string home_dir;              // empty = gpg's default
  SecretBytes passphrase;            // GPG_DECRYPT_PW
  bool allow_no_passphrase = false;  // GPG_ALLOW_NO_PW: an empty passphrase is then accepted
};

struct GpgDecrypted {
  std::string plaintext;
  GpgSignature signature;
};

// Decrypts and verifies with whichever secret key in the keyring matches (protocol.md §5 quirk: no decrypt id).
// A bad or missing signature is not an error here: the caller applies its signature policy to `signature`.
Result<GpgDecrypted> gpg_decrypt(std::span<const std::uint8_t> blob, const GpgDecryptParams& params);

// Whether this build has GnuPG at all: the router build (SESAME_ROUTER_BUILD, gpg_router.cc) has not, and says so,
// so that sesamed refuses a GPG stanza when it loads it rather than dropping every packet for it. libgpgme itself
// is only looked for on first use.
Result<Ok> gpg_support();

}  // namespace sesame::spa
