// SPDX-License-Identifier: GPL-2.0-or-later
// Reads a QR code image back with zbarimg (Debian's zbar-tools), as a phone would.
#pragma once

#include <string>
#include <vector>

#include "support/subprocess.h"

namespace sesame::test {

// The decoded text, "" when zbarimg found no code, or nullopt-like "SKIPPED" when zbarimg is not installed.
inline std::string scan_qr(const std::string& image_path) {
  const auto zbarimg = find_executable({"/usr/bin/zbarimg", "/usr/local/bin/zbarimg"});
  if (zbarimg.empty()) return "SKIPPED";
  const auto result = run_process(std::vector<std::string>{zbarimg, "--raw", "-q", image_path});
  // zbarimg's stderr (merged here) may carry D-Bus noise first; --raw prints the decoded text as the last line.
  std::string text = result.output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
}

}  // namespace sesame::test
