// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd's digest.cache (protocol.md §9, server.md §9), read so that sesamed, replacing fwknopd, still rejects
// the packets fwknopd accepted.
//
// The file starts with `# <digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>` and holds one line per
// packet fwknopd decrypted: `M4QNdmCY…jxM 17 127.0.0.1 53835 0.0.0.0 62299 1795374287`, the digest being the
// unpadded base64 of SHA-256 of the wire payload and `time` the creation epoch. fwknopd reads each line with
// sscanf("%64s %hhu %16s %hu %16s %hu %ld") and skips lines that do not convert; this parser does the same.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sesame::server {

struct FwknopDigestEntry {
  std::array<std::uint8_t, 32> digest{};  // SHA-256 of the wire, decoded from the base64 key
  std::int64_t created_s = 0;             // when fwknopd saw the packet
};

struct FwknopDigestLine {
  enum class Kind {
    kEntry,      // `entry` is set
    kComment,    // empty, or starts with '#' or ';' (the header), which fwknopd skips as well
    kMalformed,  // fwknopd's sscanf would not convert it, or the digest is not a base64 SHA-256
  };
  Kind kind = Kind::kMalformed;
  FwknopDigestEntry entry;
};

// One line, without its newline (a trailing '\r' is tolerated).
FwknopDigestLine parse_fwknop_digest_line(std::string_view line);

}  // namespace sesame::server
