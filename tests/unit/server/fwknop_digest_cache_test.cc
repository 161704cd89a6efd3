// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd's digest.cache lines (protocol.md §9): what fwknopd writes parses, what its sscanf skips is malformed.
#include "server/fwknop_digest_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "server/replay_digest.h"
#include "spa/base64.h"
#include "spa/digest.h"

namespace sesame::server {
namespace {

using Kind = FwknopDigestLine::Kind;

// A payload and fwknopd's cache key for it, as spa::replay_digest computes it (unpadded base64, 43 characters).
const std::string kWire = "9x4Tu0upLBVq8hU4zY1cQqmb0ZyS2aUEyDvv5Wx4ZbFpAjhe2BT3n3Xt8cqJXKk0O8nUSA";
const std::string kDigest = spa::replay_digest(kWire);

TEST(FwknopDigestCache, ReadsTheLineFwknopdWrites) {
  ASSERT_EQ(kDigest.size(), 43u);
  const FwknopDigestLine line = parse_fwknop_digest_line(kDigest + " 17 127.0.0.1 53835 0.0.0.0 62299 1795374287");
  ASSERT_EQ(line.kind, Kind::kEntry);
  EXPECT_EQ(line.entry.created_s, 1795374287);
  EXPECT_EQ(line.entry.digest, fwknop_replay_digest(kWire));
}

TEST(FwknopDigestCache, HeaderAndBlankLinesAreNotEntries) {
  EXPECT_EQ(parse_fwknop_digest_line("# <digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>").kind,
            Kind::kComment);
  EXPECT_EQ(parse_fwknop_digest_line("").kind, Kind::kComment);
  EXPECT_EQ(parse_fwknop_digest_line("   ").kind, Kind::kComment);
  EXPECT_EQ(parse_fwknop_digest_line("; note").kind, Kind::kComment);
}

TEST(FwknopDigestCache, AcceptsWhatSscanfAccepts) {
  // Tabs and repeated blanks, a CR from a copied file, extra trailing fields, signs on the numbers.
  EXPECT_EQ(parse_fwknop_digest_line(kDigest + "\t17  10.0.0.1 1 10.0.0.2 2 1700000000 extra\r").kind, Kind::kEntry);
  // %ld stops at the first non-digit and sscanf still counts 7 conversions; a number glued to the next field
  // leaves that text to the next conversion.
  const FwknopDigestLine glued = parse_fwknop_digest_line(kDigest + " 17 1.2.3.4 1 5.6.7.8 2 1700000000x");
  ASSERT_EQ(glued.kind, Kind::kEntry);
  EXPECT_EQ(glued.entry.created_s, 1700000000);
  EXPECT_EQ(parse_fwknop_digest_line(kDigest + " 17 1.2.3.4 1x 2 3").kind, Kind::kEntry);
  const FwknopDigestLine signs = parse_fwknop_digest_line(kDigest + " +17 1.2.3.4 -1 5.6.7.8 +2 -5");
  ASSERT_EQ(signs.kind, Kind::kEntry);
  EXPECT_EQ(signs.entry.created_s, -5);
  // A padded digest decodes to the same SHA-256.
  const FwknopDigestLine padded = parse_fwknop_digest_line(kDigest + "= 17 1.2.3.4 1 5.6.7.8 2 100");
  ASSERT_EQ(padded.kind, Kind::kEntry);
  EXPECT_EQ(padded.entry.digest, fwknop_replay_digest(kWire));
}

TEST(FwknopDigestCache, SkipsLinesFwknopdCannotConvert) {
  const std::string tail = " 1.2.3.4 1 5.6.7.8 2 1700000000";
  for (const std::string& line : {
           kDigest,                                                 // one field
           kDigest + " 17 1.2.3.4 1 5.6.7.8 2",                     // no time
           kDigest + " tcp" + tail,                                 // proto not a number
           kDigest + " 17 1.2.3.4 port 5.6.7.8 2 1700000000",       // port not a number
           kDigest + " 17 1.2.3.4 1 5.6.7.8 2 soon",                // time not a number
           kDigest + " 17 123.123.123.123.123 1 5.6.7.8 2 170000",  // %16s leaves ".123" to %hu, which fails
           std::string(65, 'A') + " 17" + tail,                     // %64s splits the digest
           "not-base64!" + std::string(32, 'A') + " 17" + tail,     // not base64
           kDigest.substr(0, 40) + " 17" + tail,                    // not a SHA-256
       }) {
    EXPECT_EQ(parse_fwknop_digest_line(line).kind, Kind::kMalformed) << line;
  }
}

}  // namespace
}  // namespace sesame::server
