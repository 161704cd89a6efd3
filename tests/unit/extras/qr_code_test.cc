// SPDX-License-Identifier: GPL-2.0-or-later
// QR codes for key hand-over: what libqrencode encodes must scan back (zbarimg) to exactly the key text.
#include "extras/qr_code.h"

#include <gtest/gtest.h>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::extras {
namespace {

std::string scan(const std::string& image_path) {
  const auto zbarimg = test::find_executable({"/usr/bin/zbarimg", "/usr/local/bin/zbarimg"});
  if (zbarimg.empty()) return "SKIPPED";
  const auto result = test::run_process(std::vector<std::string>{zbarimg, "--raw", "-q", image_path});
  // zbarimg's stderr (merged here) may carry D-Bus noise first; --raw prints the decoded text as the last line.
  std::string text = result.output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
}

TEST(QrCode, KeyTextScansBackExactly) {
  const std::string text = fwknop2_key_text("8eRJ7C3hJ54OU7B46ToDehnJkRsqtpBwzGSbqXDQHY4=",
                                            "PKQLbWi8yanTTm7qT1TUoG0nYKtCohPsI4KeQg8sO+9PYx3oLo9WyXplVLLpDfeCePV7UDm2li"
                                            "Leg3U7Qkma5Q==");
  EXPECT_EQ(text.substr(0, 11), "KEY_BASE64:");
  auto matrix = encode_qr(text);
  ASSERT_TRUE(matrix) << matrix.error();
  EXPECT_GT(matrix->width, 20);
  test::TempDir dir;
  const std::string image = dir.write_file("keys.pbm", render_qr_pbm(*matrix, 4));
  const std::string scanned = scan(image);
  if (scanned == "SKIPPED") GTEST_SKIP() << "SKIPPED: zbarimg (zbar-tools) is not installed";
  EXPECT_EQ(scanned, text);
}

TEST(QrCode, TerminalRenderingCoversEveryModule) {
  auto matrix = encode_qr("hello");
  ASSERT_TRUE(matrix);
  const std::string rendered = render_qr_terminal(*matrix);
  const int side = matrix->width + 4;
  std::size_t blocks = 0;
  for (std::size_t at = rendered.find("\u2580"); at != std::string::npos; at = rendered.find("\u2580", at + 1))
    ++blocks;
  EXPECT_EQ(blocks, std::size_t(side) * std::size_t((side + 1) / 2));
  EXPECT_NE(rendered.find("\033[30;107m"), std::string::npos);  // explicit colours, whatever the terminal theme
}

}  // namespace
}  // namespace sesame::extras
