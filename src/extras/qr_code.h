// SPDX-License-Identifier: GPL-2.0-or-later
// QR codes for key hand-over to phones (the Fwknop2 Android app imports "KEY_BASE64:<k> HMAC_KEY_BASE64:<h>"):
// encoding with libqrencode, and rendering for a terminal or as an image.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sesame::extras {

struct QrMatrix {
  int width = 0;           // modules per side, without the quiet zone
  std::vector<bool> dark;  // row by row

  bool is_dark(int x, int y) const {
    return x >= 0 && y >= 0 && x < width && y < width && dark[std::size_t(y) * std::size_t(width) + std::size_t(x)];
  }
};

Result<QrMatrix, std::string> encode_qr(std::string_view text);

// Two module rows per text line with "▀" and explicit ANSI colours (black on white), so the code scans the same
// on dark and light terminal themes; a quiet zone of 2 modules.
std::string render_qr_terminal(const QrMatrix& matrix);

// A plain PBM image (P1), `scale` pixels per module, a quiet zone of 4 modules: what --qr-png and the tests use.
std::string render_qr_pbm(const QrMatrix& matrix, int scale);

// The text the Fwknop2 Android app imports.
std::string fwknop2_key_text(std::string_view key_base64, std::string_view hmac_key_base64);

}  // namespace sesame::extras
