// SPDX-License-Identifier: GPL-2.0-or-later
// `--key-gen --qr` / `--qr-png` in the router build (SESAME_ROUTER_BUILD, docs/router-build.md): no libqrencode or
// libpng headers, so asking for a QR code is refused after the keys are printed. Replaces qr_code.cc; nothing else of
// qr_code.h is used by the programs the router build makes.
#include "extras/qr_code.h"

namespace sesame::extras {

Result<Ok, std::string> show_key_qr(std::string_view /*key_base64*/, std::string_view /*hmac_key_base64*/,
                                    bool terminal, const std::optional<std::string>& png_path, std::ostream& /*out*/) {
  if (!terminal && !png_path) return Ok{};
  return fail(std::string("QR codes are not in this router build of sesame (SESAME_ROUTER_BUILD, no libqrencode)"));
}

}  // namespace sesame::extras
