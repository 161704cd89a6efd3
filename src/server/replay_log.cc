// SPDX-License-Identifier: GPL-2.0-or-later
// ReplayLog: text records appended through a fixed buffer, fdatasync per flush, rewrites through temp file and
// rename, and the one-time import of fwknopd's digest.cache.
#include "server/replay_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

#include "server/fwknop_digest_cache.h"

namespace sesame::server {
namespace {

constexpr std::string_view kHeader = "# sesame replay log 1: <replay key, 32 hex digits> <keep until, epoch seconds>";
constexpr std::string_view kFwknopUntil = "# fwknop-digests-until ";
constexpr std::size_t kKeyHexDigits = 32;
constexpr std::size_t kRecordMax = kKeyHexDigits + 1 + 10 + 1;  // hex, space, up to 4294967295, newline
// Nothing this code reads has longer lines; a longer one is kept only up to here, to be reported as malformed.
constexpr std::size_t kMaxLine = 4096;
constexpr std::size_t kIoChunk = 64 * 1024;
// Far beyond any keep-until a record can hold (2106), and far from overflow when a window is added.
constexpr std::int64_t kLatestCreation = std::int64_t(1) << 40;

std::size_t format_record(char* out, const ReplayKey& key, std::uint32_t keep_until_s) {
  static constexpr char kHex[] = "0123456789abcdef";
  char* p = out;
  for (const std::uint8_t byte : key) {
    *p++ = kHex[byte >> 4];
    *p++ = kHex[byte & 0xf];
  }
  *p++ = ' ';
  p = std::to_chars(p, out + kRecordMax, keep_until_s).ptr;
  *p++ = '\n';
  return std::size_t(p - out);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_record(std::string_view line, ReplayKey& key, std::uint32_t& keep_until_s) {
  if (line.size() <= kKeyHexDigits + 1 || line[kKeyHexDigits] != ' ') return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const int high = hex_value(line[2 * i]), low = hex_value(line[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    key[i] = std::uint8_t(high << 4 | low);
  }
  const std::string_view number = line.substr(kKeyHexDigits + 1);
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), keep_until_s);
  return error == std::errc() && end == number.data() + number.size() && keep_until_s != 0;
}

struct LineScan {
  std::uint64_t complete_bytes = 0;  // up to and including the last newline
  bool torn = false;                 // bytes follow the last newline
  bool stopped = false;              // on_line returned false
};

enum class LastLine {
  kIgnoreUnterminated,  // sesame's log: a line without its newline is an unfinished write
  kReadUnterminated,    // fwknopd's digest.cache: fgets() reads a last line without newline as well
};

// Calls on_line(line) for every line of `fd` from its current offset; the newline is not part of `line`. Memory is
// bounded by kIoChunk + kMaxLine whatever the file holds. Returns errno on a read error.
template <class OnLine>
Result<LineScan, int> scan_lines(int fd, LastLine last_line, OnLine&& on_line) {
  LineScan scan;
  std::vector<char> chunk(kIoChunk);
  std::string carry;  // the unfinished line, cut at kMaxLine
  std::size_t carry_bytes = 0;
  for (;;) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(errno);
    if (got == 0) break;
    std::string_view rest(chunk.data(), std::size_t(got));
    while (!rest.empty()) {
      const std::size_t newline = rest.find('\n');
      const std::string_view piece = rest.substr(0, newline);
      carry.append(piece.substr(0, kMaxLine - std::min(kMaxLine, carry.size())));
      carry_bytes += piece.size();
      if (newline == std::string_view::npos) break;
      rest.remove_prefix(newline + 1);
      scan.complete_bytes += carry_bytes + 1;
      if (!on_line(std::string_view(carry))) {
        scan.stopped = true;
        return scan;
      }
      carry.clear();
      carry_bytes = 0;
    }
  }
  scan.torn = carry_bytes != 0;
  if (scan.torn && last_line == LastLine::kReadUnterminated) scan.stopped = !on_line(std::string_view(carry));
  return scan;
}

std::string errno_text(int error_number) {
  return std::strerror(error_number);
}

std::string directory_of(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// A whole new log: written to <path>.tmp, synced, renamed over <path>, directory synced. Until commit() succeeds
// the old file (if any) is untouched; the destructor removes an uncommitted temp file.
class LogRewrite {
 public:
  explicit LogRewrite(const std::string& path) : path_(path), temp_path_(path + ".tmp") {}
  LogRewrite(const LogRewrite&) = delete;
  LogRewrite& operator=(const LogRewrite&) = delete;
  ~LogRewrite() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(temp_path_.c_str());
    }
  }

  // O_APPEND and readable: after commit the same descriptor serves appends and the load that follows a creation.
  // Locked before it becomes the log, so no moment exists where the live log is unlocked.
  std::optional<std::string> begin() {
    fd_ = ::open(temp_path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) return what("create " + temp_path_);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) return what("lock " + temp_path_);
    buffer_.reserve(kIoChunk);
    return std::nullopt;
  }

  void write(std::string_view text) {
    if (buffer_.size() + text.size() > kIoChunk) drain();
    buffer_.insert(buffer_.end(), text.begin(), text.end());
  }
  void write_record(const ReplayKey& key, std::uint32_t keep_until_s) {
    char record[kRecordMax];
    write(std::string_view(record, format_record(record, key, keep_until_s)));
  }

  // On success the caller owns the returned descriptor of the new log. `directory_error` is set when everything
  // but the directory fsync() worked: the new log is in place but the rename may not survive a crash.
  std::optional<int> commit(std::optional<std::string>& error, std::optional<std::string>& directory_error) {
    drain();
    if (write_error_) {
      error = what_errno("write " + temp_path_, *write_error_);
      return std::nullopt;
    }
    if (::fdatasync(fd_) != 0) {
      error = what("fdatasync " + temp_path_);
      return std::nullopt;
    }
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      error = what("rename " + temp_path_);
      return std::nullopt;
    }
    const int fd = std::exchange(fd_, -1);
    const int directory = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0 || ::fsync(directory) != 0) directory_error = what("fsync directory " + directory_of(path_));
    if (directory >= 0) ::close(directory);
    return fd;
  }

 private:
  void drain() {
    for (std::size_t done = 0; done < buffer_.size() && !write_error_;) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) write_error_ = n < 0 ? errno : EIO;  // 0 for a non-empty write: no progress possible
      if (n > 0) done += std::size_t(n);
    }
    buffer_.clear();
  }
  std::string what(const std::string& operation) const { return what_errno(operation, errno); }
  static std::string what_errno(const std::string& operation, int error_number) {
    return operation + ": " + errno_text(error_number);
  }

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  std::vector<char> buffer_;
  std::optional<int> write_error_;
};

}  // namespace

ReplayLog::ReplayLog(const ReplayLogOptions& options)
    : path_(options.path), pending_(options.max_pending_records * kRecordMax) {}

ReplayLogError ReplayLog::failure(const std::string& what, int error_number) const {
  return ReplayLogError{path_ + ": " + what + (error_number != 0 ? ": " + errno_text(error_number) : "")};
}

Result<ReplayLog, ReplayLogError> ReplayLog::open(const ReplayLogOptions& options, ReplayCache& cache,
                                                  std::int64_t now_s) {
  ReplayLog log(options);
  const int fd = ::open(log.path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno != ENOENT) return fail(log.failure("open", errno));
  log.fd_.reset(fd);
  if (log.fd_.get() >= 0) {
    if (::flock(log.fd_.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) return fail(log.failure("locked: another sesamed uses this replay log", 0));
      return fail(log.failure("flock", errno));
    }
    struct stat status {};
    if (::fstat(log.fd_.get(), &status) != 0) return fail(log.failure("fstat", errno));
    if (status.st_size == 0) log.fd_.reset();  // made by someone else, or truncated: start it as if absent
  }
  if (log.fd_.get() < 0) {
    auto created = log.create(options, now_s);
    if (!created) return fail(created.error());
  }
  auto loaded = log.load(cache, now_s);
  if (!loaded) return fail(loaded.error());
  return log;
}

Result<Ok, ReplayLogError> ReplayLog::create(const ReplayLogOptions& options, std::int64_t now_s) {
  LogRewrite rewrite(path_);
  if (auto error = rewrite.begin()) return fail(failure(*error, 0));
  rewrite.write(kHeader);
  rewrite.write("\n");
  if (!options.fwknop_digest_cache.empty()) {
    const int input = ::open(options.fwknop_digest_cache.c_str(), O_RDONLY | O_CLOEXEC);
    if (input < 0 && errno != ENOENT)
      // Fail closed: without fwknopd's history a packet it accepted minutes ago could be replayed here. The
      // message says how to go on.
      return fail(ReplayLogError{options.fwknop_digest_cache + ": open: " + errno_text(errno) +
                                 " (fwknopd's digest cache, imported once: make it readable to sesamed, or point "
                                 "DIGEST_FILE at a readable copy)"});
    if (input >= 0) {
      std::int64_t until_s = 0;
      auto scan = scan_lines(input, LastLine::kReadUnterminated, [&](std::string_view line) {
        const FwknopDigestLine parsed = parse_fwknop_digest_line(line);
        if (parsed.kind == FwknopDigestLine::Kind::kMalformed) ++loaded_.import_malformed;
        if (parsed.kind != FwknopDigestLine::Kind::kEntry) return true;
        // Saturating: sscanf's %ld saturates too, so a hand-edited time may be near either end of the range.
        const std::int64_t created_s = std::clamp<std::int64_t>(parsed.entry.created_s, 0, kLatestCreation);
        const std::int64_t keep_until_s =
            created_s + std::clamp<std::int64_t>(options.fwknop_keep_for_s, 0, kLatestCreation);
        if (keep_until_s < now_s) {
          ++loaded_.import_expired;
        } else {
          rewrite.write_record(replay_key(parsed.entry.digest), stored_expiry_s(keep_until_s));
          ++loaded_.imported;
          until_s = std::max(until_s, keep_until_s);
        }
        return true;
      });
      const int read_error = scan ? 0 : scan.error();
      ::close(input);
      if (read_error != 0)
        return fail(ReplayLogError{options.fwknop_digest_cache + ": read: " + errno_text(read_error)});
      if (until_s != 0) {
        char line[64];
        const auto end = std::to_chars(line, line + sizeof(line), until_s).ptr;
        rewrite.write(kFwknopUntil);
        rewrite.write(std::string_view(line, std::size_t(end - line)));
        rewrite.write("\n");
      }
    }
  }
  std::optional<std::string> error, directory_error;
  const auto fd = rewrite.commit(error, directory_error);
  if (!fd) return fail(failure(*error, 0));
  fd_.reset(*fd);
  // Without a durable directory entry, a crash could lose the log with every record flushed into it, and the next
  // start would import again as if nothing had been granted: refuse to start instead.
  if (directory_error) return fail(failure(*directory_error, 0));
  loaded_.created = true;
  return Ok{};
}

Result<Ok, ReplayLogError> ReplayLog::load(ReplayCache& cache, std::int64_t now_s) {
  if (::lseek(fd_.get(), 0, SEEK_SET) < 0) return fail(failure("lseek", errno));
  std::size_t line_number = 0;
  bool bad_header = false, cache_full = false;
  auto scan = scan_lines(fd_.get(), LastLine::kIgnoreUnterminated, [&](std::string_view line) {
    if (++line_number == 1) {
      bad_header = line != kHeader;
      return !bad_header;
    }
    if (line.starts_with(kFwknopUntil)) {
      std::int64_t until_s = 0;
      const std::string_view number = line.substr(kFwknopUntil.size());
      if (std::from_chars(number.data(), number.data() + number.size(), until_s).ec == std::errc())
        fwknop_digests_until_s_ = std::max(fwknop_digests_until_s_, until_s);
      return true;
    }
    if (line.starts_with('#')) return true;
    ReplayKey key;
    std::uint32_t keep_until_s = 0;
    if (!parse_record(line, key, keep_until_s)) {
      ++loaded_.malformed;
      return true;
    }
    ++loaded_.records;
    if (std::int64_t(keep_until_s) < now_s) return true;
    const ReplayCache::Verdict verdict = cache.check_and_insert(key, now_s, keep_until_s);
    if (verdict == ReplayCache::Verdict::kFull) {
      cache_full = true;
      return false;
    }
    if (verdict == ReplayCache::Verdict::kFresh) ++loaded_.live;
    return true;
  });
  if (!scan) return fail(failure("read", scan.error()));
  if (bad_header) return fail(failure("not a sesame replay log (its first line is not \"# sesame replay log 1\")", 0));
  if (cache_full)
    return fail(failure(
        "holds more live entries than the replay cache's " + std::to_string(cache.max_entries()) + "; raise its size",
        0));
  if (scan->torn) {
    // A crash in the middle of a write: the unfinished record was never flushed successfully, so no grant depends
    // on it. Cut it off, or the next record would be glued to it and lost as malformed.
    if (::ftruncate(fd_.get(), off_t(scan->complete_bytes)) != 0) return fail(failure("ftruncate", errno));
    loaded_.torn_tail = true;
  }
  if (line_number == 0) {  // even the header was torn
    const std::string header = std::string(kHeader) + "\n";
    const ssize_t written = ::write(fd_.get(), header.data(), header.size());
    if (written != ssize_t(header.size())) return fail(failure("write header", written < 0 ? errno : EIO));
    if (::fdatasync(fd_.get()) != 0) return fail(failure("fdatasync", errno));
  }
  file_records_ = loaded_.records;
  return Ok{};
}

bool ReplayLog::append(const ReplayKey& key, std::int64_t keep_until_s) {
  if (pending_.size() - pending_size_ < kRecordMax) return false;
  pending_size_ += format_record(pending_.data() + pending_size_, key, stored_expiry_s(keep_until_s));
  ++pending_records_;
  return true;
}

Result<Ok, ReplayLogError> ReplayLog::flush() {
  if (needs_rewrite_) return fail(failure("an earlier fdatasync failed; waiting for a rewrite (compact)", 0));
  if (pending_size_ == 0) return Ok{};
  while (pending_written_ < pending_size_) {
    const ssize_t n = ::write(fd_.get(), pending_.data() + pending_written_, pending_size_ - pending_written_);
    if (n < 0 && errno == EINTR) continue;
    // Disk full or I/O error: keep what is not written (a short write leaves a partial record, which the retry
    // completes, or which the next start cuts off as a torn tail).
    if (n <= 0) return fail(failure("write", n < 0 ? errno : EIO));
    pending_written_ += std::size_t(n);
  }
  if (::fdatasync(fd_.get()) != 0) {
    needs_rewrite_ = true;
    return fail(failure("fdatasync", errno));
  }
  file_records_ += pending_records_;
  pending_size_ = pending_written_ = pending_records_ = 0;
  return Ok{};
}

bool ReplayLog::should_compact(const ReplayCache& cache) const {
  const std::size_t records = file_records_ + pending_records_;
  return needs_rewrite_ || (records >= kMinRecordsToCompact && records > 2 * cache.size());
}

Result<Ok, ReplayLogError> ReplayLog::compact(const ReplayCache& cache, std::int64_t now_s) {
  LogRewrite rewrite(path_);
  if (auto error = rewrite.begin()) return fail(failure(*error, 0));
  rewrite.write(kHeader);
  rewrite.write("\n");
  if (fwknop_digests_until_s_ >= now_s) {
    char line[64];
    const auto end = std::to_chars(line, line + sizeof(line), fwknop_digests_until_s_).ptr;
    rewrite.write(kFwknopUntil);
    rewrite.write(std::string_view(line, std::size_t(end - line)));
    rewrite.write("\n");
  }
  std::size_t records = 0;
  cache.for_each_live(now_s, [&](const ReplayKey& key, std::uint32_t keep_until_s) {
    rewrite.write_record(key, keep_until_s);
    ++records;
  });
  std::optional<std::string> error, directory_error;
  const auto fd = rewrite.commit(error, directory_error);
  if (!fd) return fail(failure(*error, 0));  // the old log is untouched and still valid
  // The new file holds every entry, the buffered ones too: switch to it even if its directory entry may not be
  // durable yet, since the old file is no longer reachable by name.
  fd_.reset(*fd);
  file_records_ = records;
  pending_size_ = pending_written_ = pending_records_ = 0;
  if (fwknop_digests_until_s_ < now_s) fwknop_digests_until_s_ = 0;
  // If the rename may be lost, a crash would bring back the old log without the buffered records: keep failing
  // flush() (so no grant depends on them) until a rewrite fully succeeds.
  needs_rewrite_ = directory_error.has_value();
  if (directory_error) return fail(failure(*directory_error, 0));
  return Ok{};
}

}  // namespace sesame::server
