// SPDX-License-Identifier: GPL-2.0-or-later
// parse_fwknop_digest_line: fwknopd's sscanf format, conversion by conversion.
#include "server/fwknop_digest_cache.h"

#include <charconv>
#include <cstddef>
#include <limits>

#include "spa/base64.h"

namespace sesame::server {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// sscanf, one conversion at a time, over the rest of a line: every conversion skips leading whitespace first.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : rest_(text) {}

  // %<width>s: up to `width` non-blank characters, at least one.
  bool string(std::size_t width, std::string_view& out) {
    skip_space();
    std::size_t end = 0;
    while (end < rest_.size() && end < width && !is_space(rest_[end])) ++end;
    if (end == 0) return false;
    out = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return true;
  }

  // %hhu, %hu, %ld: an optional sign, then digits up to the first non-digit (which the next conversion sees).
  bool integer(std::int64_t& out) {
    skip_space();
    bool negative = false;
    if (!rest_.empty() && (rest_.front() == '+' || rest_.front() == '-')) {
      negative = rest_.front() == '-';
      rest_.remove_prefix(1);
    }
    std::size_t end = 0;
    while (end < rest_.size() && rest_[end] >= '0' && rest_[end] <= '9') ++end;
    if (end == 0) return false;
    std::int64_t value = 0;
    // strtol saturates where from_chars reports overflow; the value is only ever a time, so saturate too.
    if (std::from_chars(rest_.data(), rest_.data() + end, value).ec != std::errc())
      value = std::numeric_limits<std::int64_t>::max();
    out = negative ? -value : value;
    rest_.remove_prefix(end);
    return true;
  }

 private:
  void skip_space() {
    while (!rest_.empty() && is_space(rest_.front())) rest_.remove_prefix(1);
  }

  std::string_view rest_;
};

}  // namespace

FwknopDigestLine parse_fwknop_digest_line(std::string_view line) {
  FwknopDigestLine result;
  std::string_view rest = line;
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  // fwknopd's IS_EMPTY_LINE: the header and blank lines are not entries, and not errors either.
  if (rest.empty() || rest.front() == '#' || rest.front() == ';') {
    result.kind = FwknopDigestLine::Kind::kComment;
    return result;
  }
  // sscanf(line, "%64s %hhu %16s %hu %16s %hu %ld", ...) == 7; whatever follows is ignored, as there.
  Scanner scan(rest);
  std::string_view digest, src_ip, dst_ip;
  std::int64_t proto = 0, src_port = 0, dst_port = 0;
  if (!scan.string(64, digest) || !scan.integer(proto) || !scan.string(16, src_ip) || !scan.integer(src_port) ||
      !scan.string(16, dst_ip) || !scan.integer(dst_port) || !scan.integer(result.entry.created_s))
    return result;
  // fwknopd itself would load any token here; only a base64 SHA-256 can ever match a packet.
  if (spa::base64_decoded_size(digest) != result.entry.digest.size() ||
      !spa::base64_decode_into(digest, result.entry.digest))
    return result;
  result.kind = FwknopDigestLine::Kind::kEntry;
  return result;
}

}  // namespace sesame::server
