// SPDX-License-Identifier: GPL-2.0-or-later
// QR codes for key hand-over to phones (the Fwknop2 Android app imports "KEY_BASE64:<k> HMAC_KEY_BASE64:<h>"):
// encoding with libqrencode, and rendering for a terminal or as an image.
#pragma once

#include <optional>
#include <ostream>
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

// A plain PBM image (P1), `scale` pixels per module, a quiet zone of 4 modules, as write_qr_png draws it.
std::string render_qr_pbm(const QrMatrix& matrix, int scale);

// The code as a greyscale PNG (libpng, loaded on first use), `scale` pixels per module, a quiet zone of 4 modules,
// written to `path` with mode 0600 (it holds the keys); an existing file is replaced, a symlink is not followed.
Result<Ok, std::string> write_qr_png(const QrMatrix& matrix, const std::string& path, int scale = 8);

// The text the Fwknop2 Android app imports.
std::string fwknop2_key_text(std::string_view key_base64, std::string_view hmac_key_base64);

// `--key-gen --qr` / `--qr-png FILE` of sesame and sesamed: the keys' QR code on `out` (terminal) and/or as a PNG.
Result<Ok, std::string> show_key_qr(std::string_view key_base64, std::string_view hmac_key_base64, bool terminal,
                                    const std::optional<std::string>& png_path, std::ostream& out);

}  // namespace sesame::extras
