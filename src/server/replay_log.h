// SPDX-License-Identifier: GPL-2.0-or-later
// ReplayLog: the replay cache on disk, so that a packet replayed after `kill -9` and a restart is still refused.
//
// Format: an append-only text file, mode 0600, one record per remembered packet:
//   # sesame replay log 1: <replay key, 32 hex digits> <keep until, epoch seconds>
//   # fwknop-digests-until 1795374527          (only after importing fwknopd's digest.cache)
//   8f0c2b7d9e1a4c3b5a6d7e8f90a1b2c3 1795374527
// Text because an operator can read it; 44 bytes a record. Lines that do not parse are skipped and counted; a
// last line without its newline is what a crash in the middle of a write leaves: it is ignored and cut off, so
// the next record starts on a line of its own.
//
// fsync policy: append() only copies the record into a buffer allocated at open (no I/O on the packet path);
// flush() writes everything buffered and fdatasync()s it. The daemon calls flush() once per receive burst,
// after the burst's packets were checked and before any grant of that burst is applied; if flush() fails, the
// burst's grants are not applied (fail closed). Hence a packet whose grant happened is on disk, and a packet lost
// by a crash before its flush never got a grant, so a replay of it after the restart grants at most once in
// total. A burst without new records costs no system call. After a failed fdatasync() the page cache can no
// longer be trusted (the kernel may have dropped the dirty pages), so flush() keeps failing until compact() has
// rewritten the whole log from the cache.
//
// Compaction: once the file holds more than twice as many records as the cache has entries (and at least
// kMinRecordsToCompact), compact() writes the live entries to `<path>.tmp`, fdatasync()s it, renames it over the
// log and fsync()s the directory: a crash at any point leaves either the old or the new log, both complete.
//
// fwknopd's digest.cache is imported when the log does not exist yet (first start after a switch from fwknopd).
// Its digests hash the wire as received, not the canonical form, and cannot be converted (SHA-256 is one-way), so
// they are kept as keys of their own kind in the same cache and log (a SHA-256 of different input: they cannot
// be confused with canonical keys), each until its creation time plus `fwknop_keep_for_s`, and the daemon checks
// replay_key(fwknop_replay_digest(wire)) as well until fwknop_digests_until_s().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/replay_cache.h"

namespace sesame::server {

struct ReplayLogError {
  std::string message;  // "<path>: <what failed>: <strerror>", one line for the log
};

struct ReplayLogOptions {
  std::string path;
  // Read only when `path` does not exist (or is empty); empty: no import. A missing file is not an error.
  std::string fwknop_digest_cache;
  // A packet fwknopd accepted at time T carried a timestamp within T ± MAX_SPA_PACKET_AGE, so it fails the time
  // window after T + 2 * MAX_SPA_PACKET_AGE: the daemon passes that (default age 120 s).
  std::int64_t fwknop_keep_for_s = 240;
  // The most records between two flush() calls: the receive burst size of the daemon, with room to spare.
  std::size_t max_pending_records = 4096;
};

// What open() found, for the start-up log line.
struct ReplayLogLoad {
  bool created = false;              // the log did not exist (or was empty) and was created
  std::size_t records = 0;           // well-formed records read
  std::size_t live = 0;              // of those, still remembered now, hence put into the cache
  std::size_t malformed = 0;         // lines skipped
  bool torn_tail = false;            // an unfinished last line (crash in mid-write) was cut off
  std::size_t imported = 0;          // fwknopd digests still inside their window, now in the log and the cache
  std::size_t import_expired = 0;    // fwknopd digests too old to matter
  std::size_t import_malformed = 0;  // digest.cache lines fwknopd would skip as well
};

class ReplayLog {
 public:
  // Opens (or creates, importing fwknopd's digest.cache) the log, locks it against a second daemon and puts every
  // live record into `cache`. Fails when the file cannot be read or written, is locked, is not a sesame replay log,
  // or holds more live entries than `cache` has room for (refusing to start beats forgetting packets).
  static Result<ReplayLog, ReplayLogError> open(const ReplayLogOptions& options, ReplayCache& cache,
                                                std::int64_t now_s);

  ReplayLog(ReplayLog&&) noexcept = default;
  ReplayLog& operator=(ReplayLog&&) noexcept = default;
  // Unflushed records are dropped on destruction: the caller applied none of their grants.
  ~ReplayLog() = default;

  // Buffers one record; no I/O. False when max_pending_records are already waiting for flush(): the caller must
  // flush first or drop the packet.
  [[nodiscard]] bool append(const ReplayKey& key, std::int64_t keep_until_s);
  // Writes the buffered records and fdatasync()s them (see the fsync policy above).
  Result<Ok, ReplayLogError> flush();

  bool should_compact(const ReplayCache& cache) const;
  // Rewrites the log from the entries of `cache` still live at `now_s` (buffered records included).
  Result<Ok, ReplayLogError> compact(const ReplayCache& cache, std::int64_t now_s);

  const ReplayLogLoad& loaded() const { return loaded_; }
  // Until then, the daemon also looks up fwknopd's digest of each packet; 0: nothing was imported.
  std::int64_t fwknop_digests_until_s() const { return fwknop_digests_until_s_; }
  std::size_t pending_records() const { return pending_records_; }
  std::size_t file_records() const { return file_records_; }
  const std::string& path() const { return path_; }

  static constexpr std::size_t kMinRecordsToCompact = 1024;

 private:
  explicit ReplayLog(const ReplayLogOptions& options);
  Result<Ok, ReplayLogError> load(ReplayCache& cache, std::int64_t now_s);
  Result<Ok, ReplayLogError> create(const ReplayLogOptions& options, std::int64_t now_s);
  ReplayLogError failure(const std::string& what, int error_number) const;

  std::string path_;
  UniqueFd fd_;  // owns the flock too
  std::vector<char> pending_;  // allocated once, at open
  std::size_t pending_size_ = 0;
  std::size_t pending_written_ = 0;  // bytes of pending_ already written by a flush() that failed later
  std::size_t pending_records_ = 0;
  std::size_t file_records_ = 0;
  bool needs_rewrite_ = false;  // an fdatasync() failed: only compact() can make the file trustworthy again
  std::int64_t fwknop_digests_until_s_ = 0;
  ReplayLogLoad loaded_;
};

}  // namespace sesame::server
