// SPDX-License-Identifier: GPL-2.0-or-later
// QR encoding through libqrencode and two renderings of the module matrix.
#include "extras/qr_code.h"

#include <fcntl.h>
#include <png.h>
#include <qrencode.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <memory>

#include "common/shared_library.h"

namespace sesame::extras {
namespace {

constexpr int kTerminalQuietZone = 2;
constexpr int kImageQuietZone = 4;

// The images (PBM and PNG): `scale` pixels per module and a quiet zone of kImageQuietZone modules round the code.
int image_side(const QrMatrix& matrix, int scale) {
  return (matrix.width + 2 * kImageQuietZone) * scale;
}
bool is_dark_pixel(const QrMatrix& matrix, int scale, int px, int py) {
  return matrix.is_dark(px / scale - kImageQuietZone, py / scale - kImageQuietZone);
}

// libqrencode is dlopen()ed on the first QR code: only --key-gen --qr needs it, and linked normally it would be
// loaded (and its symbols bound) at every start of the client and of sesamed.
struct Qrencode {
  decltype(&::QRcode_encodeString8bit) encode_string_8bit = nullptr;
  decltype(&::QRcode_free) free = nullptr;
};

Result<Qrencode, std::string> load_qrencode() {
  auto library = SharedLibrary::open("libqrencode.so.4");  // Debian's libqrencode4
  if (!library) return fail("QR codes need " + library.error());
  Qrencode qrencode;
  if (!library->bind("QRcode_encodeString8bit", qrencode.encode_string_8bit) ||
      !library->bind("QRcode_free", qrencode.free))
    return fail("QR codes need libqrencode.so.4 with " + library->first_missing());
  return qrencode;  // stays loaded for the life of the process
}

Result<const Qrencode*, std::string> qrencode() {
  static const Result<Qrencode, std::string> loaded = load_qrencode();
  if (!loaded) return fail(loaded.error());
  return &loaded.value();
}

// libpng's simplified API, one function; loaded only for --qr-png, like libqrencode.
using PngWrite = decltype(&::png_image_write_to_stdio);

Result<PngWrite, std::string> png_writer() {
  static const Result<PngWrite, std::string> loaded = []() -> Result<PngWrite, std::string> {
    auto library = SharedLibrary::open("libpng16.so.16");  // Debian's libpng16-16
    if (!library) return fail("--qr-png needs " + library.error());
    PngWrite write = nullptr;
    if (!library->bind("png_image_write_to_stdio", write))
      return fail(std::string("--qr-png needs libpng16.so.16 with png_image_write_to_stdio"));
    return write;
  }();
  return loaded;
}

struct QrCodeFree {
  decltype(&::QRcode_free) free;
  void operator()(QRcode* code) const noexcept { free(code); }
};

}  // namespace

Result<QrMatrix, std::string> encode_qr(std::string_view text) {
  const auto library = qrencode();
  if (!library) return fail(library.error());
  const std::string owned(text);
  // 8-bit mode keeps base64 exact; level M survives a smudged phone screen.
  std::unique_ptr<QRcode, QrCodeFree> code((*library)->encode_string_8bit(owned.c_str(), 0, QR_ECLEVEL_M),
                                           QrCodeFree{(*library)->free});
  if (!code) return fail(std::string("QR encoding failed: text too long?"));
  QrMatrix matrix;
  matrix.width = code->width;
  matrix.dark.resize(std::size_t(code->width) * std::size_t(code->width));
  for (std::size_t i = 0; i < matrix.dark.size(); ++i) matrix.dark[i] = (code->data[i] & 1) != 0;
  return matrix;
}

std::string render_qr_terminal(const QrMatrix& matrix) {
  static constexpr std::string_view kColours[2][2] = {
      // [top dark][bottom dark]: foreground paints the top half, background the bottom half.
      {"\033[97;107m", "\033[97;40m"},
      {"\033[30;107m", "\033[30;40m"},
  };
  std::string out;
  const int first = -kTerminalQuietZone;
  const int last = matrix.width + kTerminalQuietZone;
  for (int y = first; y < last; y += 2) {
    for (int x = first; x < last; ++x) {
      out += kColours[matrix.is_dark(x, y)][matrix.is_dark(x, y + 1)];
      out += "\u2580";
    }
    out += "\033[0m\n";
  }
  return out;
}

std::string render_qr_pbm(const QrMatrix& matrix, int scale) {
  const int side = image_side(matrix, scale);
  std::string out = "P1\n" + std::to_string(side) + " " + std::to_string(side) + "\n";
  for (int py = 0; py < side; ++py) {
    for (int px = 0; px < side; ++px) {
      out += is_dark_pixel(matrix, scale, px, py) ? '1' : '0';
      out += px + 1 < side ? ' ' : '\n';
    }
  }
  return out;
}

Result<Ok, std::string> write_qr_png(const QrMatrix& matrix, const std::string& path, int scale) {
  auto write = png_writer();
  if (!write) return fail(write.error());
  const int side = image_side(matrix, scale);
  std::vector<png_byte> pixels(std::size_t(side) * std::size_t(side));
  for (int py = 0; py < side; ++py)
    for (int px = 0; px < side; ++px)
      pixels[std::size_t(py) * std::size_t(side) + std::size_t(px)] = is_dark_pixel(matrix, scale, px, py) ? 0 : 255;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail(path + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // an existing file keeps its mode through O_TRUNC
  FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    return fail(path + ": " + std::strerror(errno));
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(side);
  image.height = png_uint_32(side);
  image.format = PNG_FORMAT_GRAY;
  const bool written = (*write)(&image, file, 0, pixels.data(), side, nullptr) != 0;
  const bool closed = std::fclose(file) == 0;
  if (!written) return fail(path + ": " + image.message);
  if (!closed) return fail(path + ": " + std::strerror(errno));
  return Ok{};
}

std::string fwknop2_key_text(std::string_view key_base64, std::string_view hmac_key_base64) {
  return "KEY_BASE64:" + std::string(key_base64) + " HMAC_KEY_BASE64:" + std::string(hmac_key_base64);
}

Result<Ok, std::string> show_key_qr(std::string_view key_base64, std::string_view hmac_key_base64, bool terminal,
                                    const std::optional<std::string>& png_path, std::ostream& out) {
  if (!terminal && !png_path) return Ok{};
  auto qr = encode_qr(fwknop2_key_text(key_base64, hmac_key_base64));
  if (!qr) return fail(qr.error());
  if (terminal) out << render_qr_terminal(*qr);
  if (png_path) {
    if (auto written = write_qr_png(*qr, *png_path); !written) return fail(written.error());
    out << "[+] Wrote the keys' QR code to: " << *png_path << '\n';
  }
  return Ok{};
}

}  // namespace sesame::extras
