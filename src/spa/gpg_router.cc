// SPDX-License-Identifier: GPL-2.0-or-later
// The GnuPG layer of the router build (SESAME_ROUTER_BUILD, docs/router-build.md): no GPGME, not even its headers,
// so every GPG operation is refused with one line that names the build. Replaces gpg.cc and gpgme_library.cc.
#include "spa/gpg.h"

namespace sesame::spa {
namespace {

Failure<Error> not_in_this_build() {
  return error(ErrorCode::kGpgError,
               "GnuPG is not in this router build of sesame (SESAME_ROUTER_BUILD, no GPGME): use Rijndael keys");
}

}  // namespace

Result<std::vector<std::uint8_t>> gpg_encrypt(std::string_view /*plaintext*/, const GpgEncryptParams& /*params*/) {
  return not_in_this_build();
}

Result<GpgDecrypted> gpg_decrypt(std::span<const std::uint8_t> /*blob*/, const GpgDecryptParams& /*params*/) {
  return not_in_this_build();
}

Result<Ok> gpg_support() {
  return not_in_this_build();
}

}  // namespace sesame::spa
