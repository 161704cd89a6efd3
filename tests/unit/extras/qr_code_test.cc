// SPDX-License-Identifier: GPL-2.0-or-later
// QR codes for key hand-over: what libqrencode encodes must scan back (zbarimg) to exactly the key text.
#include "extras/qr_code.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "support/qr_scan.h"
#include "support/temp_dir.h"

namespace sesame::extras {
namespace {

using test::scan_qr;

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
  const std::string scanned = scan_qr(image);
  if (scanned == "SKIPPED") GTEST_SKIP() << "SKIPPED: zbarimg (zbar-tools) is not installed";
  EXPECT_EQ(scanned, text);
}

TEST(QrCode, PngFileScansBackAndIsPrivate) {
  const std::string text = fwknop2_key_text("a2V5", "aG1hYw==");
  auto matrix = encode_qr(text);
  ASSERT_TRUE(matrix) << matrix.error();
  test::TempDir dir;
  const std::string path = dir.write_file("keys.png", "old content, readable by all");
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(write_qr_png(*matrix, path)) << path;
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "the image holds the keys";
  const std::string scanned = scan_qr(path);
  if (scanned == "SKIPPED") GTEST_SKIP() << "SKIPPED: zbarimg (zbar-tools) is not installed";
  EXPECT_EQ(scanned, text);
}

TEST(QrCode, PngIntoAMissingDirectoryIsAnErrorNamingThePath) {
  auto matrix = encode_qr("x");
  ASSERT_TRUE(matrix);
  const auto written = write_qr_png(*matrix, "/nonexistent-dir/keys.png");
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().find("/nonexistent-dir/keys.png"), std::string::npos) << written.error();
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
