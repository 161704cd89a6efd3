// SPDX-License-Identifier: GPL-2.0-or-later
// Finding, reading, creating and rewriting the client's rc file (fwknop's set_rc_file, create_fwknoprc,
// verify_file_perms_ownership and update_rc, client/config_init.c and client/utils.c).
#include "config/rc_loader.h"

#include <fcntl.h>
#include <string.h>  // explicit_bzero
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/unique_fd.h"
#include "config/rc_writer.h"

namespace sesame::config {
namespace {

constexpr std::size_t kMaxRcFileSize = 16 * 1024 * 1024;  // rc files are a few KB; this stops /dev/zero
constexpr mode_t kRcFileMode = S_IRUSR | S_IWUSR;

std::string errno_text(int error) {
  return std::strerror(error);
}

// The file text may hold keys: wiped when dropped.
class WipedText {
 public:
  WipedText() = default;
  WipedText(const WipedText&) = delete;
  WipedText& operator=(const WipedText&) = delete;
  ~WipedText() { explicit_bzero(text.data(), text.size()); }
  std::string text;
};

bool name_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t wrote = ::write(fd, text.data(), text.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(wrote));
  }
  return true;
}

// Reads all of `fd` into `out`; an errno value on failure, EFBIG past kMaxRcFileSize.
int read_all(int fd, std::string& out) {
  char buffer[8192];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno;
    if (got == 0) return 0;
    if (out.size() + static_cast<std::size_t>(got) > kMaxRcFileSize) return EFBIG;
    out.append(buffer, static_cast<std::size_t>(got));
    explicit_bzero(buffer, static_cast<std::size_t>(got));
  }
}

// fwknop's verify_file_perms_ownership, as warnings (fwknop warns and goes on, too).
void check_mode_and_owner(const std::string& path, const struct stat& st, std::vector<std::string>& warnings) {
  if (!S_ISREG(st.st_mode)) warnings.push_back("[-] file: " + path + " is not a regular file or symbolic link.");
  if ((st.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO)) != kRcFileMode)
    warnings.push_back("[-] file: " + path + " permissions should only be user read/write (0600, -rw-------)");
  if (st.st_uid != ::geteuid()) warnings.push_back("[-] file: " + path + " not owned by current effective user id");
}

// O_EXCL and O_NOFOLLOW: never write through a file or link someone else put there.
Result<Ok, std::string> create_private_file(const std::string& path, std::string_view text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kRcFileMode));
  if (fd.get() < 0) return fail(errno_text(errno));
  // The umask may have taken bits away; 0600 exactly is what the permission check expects.
  if (::fchmod(fd.get(), kRcFileMode) != 0 || !write_all(fd.get(), text) || ::fsync(fd.get()) != 0 || !fd.close()) {
    const int error = errno;
    ::unlink(path.c_str());
    return fail(errno_text(error));
  }
  return Ok{};
}

// The file a write goes to: the target of a symbolic link, so that a dotfile kept elsewhere stays linked.
std::string write_target(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
  return resolved ? std::string(resolved.get()) : path;
}

void sync_directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());  // best effort: the rename is already done
}

}  // namespace

Result<std::string, std::string> find_rc_file(const RcFileLookup& lookup) {
  if (lookup.rc_file) return *lookup.rc_file;
  if (lookup.no_home_dir) return fail(std::string("Warning: in --no-home-dir mode, must set --rc-file path."));
  if (!lookup.home_dir || lookup.home_dir->empty())
    return fail(std::string("Unable to determine HOME directory: set HOME or use --rc-file."));
  std::string home = *lookup.home_dir;
  if (home.back() != '/') home += '/';
  const std::string sesamerc = home + ".sesamerc";
  const std::string fwknoprc = home + ".fwknoprc";
  if (!name_exists(sesamerc) && name_exists(fwknoprc)) return fwknoprc;
  return sesamerc;
}

Result<LoadedRcFile, std::string> load_rc_file(const std::string& path, IfRcFileMissing if_missing) {
  LoadedRcFile loaded;
  loaded.path = path;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int error = errno;
    if (error != ENOENT || if_missing == IfRcFileMissing::kFail)
      return fail("Unable to open rc file: " + path + ": " + errno_text(error));
    loaded.messages.push_back("[*] Creating initial rc file: " + path + ".");
    const std::string text = initial_rc_file_text();
    if (auto created = create_private_file(path, text); !created) {
      loaded.warnings.push_back("Unable to create initial rc file: " + path + ": " + created.error());
      loaded.file.file_name = path;
      return loaded;
    }
    loaded.file = parse_rc_file(path, text);
    return loaded;
  }

  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail("Unable to stat rc file: " + path + ": " + errno_text(errno));
  if (S_ISDIR(st.st_mode)) return fail("Unable to read rc file: " + path + ": " + errno_text(EISDIR));
  check_mode_and_owner(path, st, loaded.warnings);  // fstat, not stat: what was checked is what is read

  WipedText text;
  if (const int error = read_all(fd.get(), text.text); error != 0)
    return fail("Unable to read rc file: " + path + ": " +
                (error == EFBIG ? std::string("larger than 16 MiB") : errno_text(error)));
  loaded.file = parse_rc_file(path, text.text);
  return loaded;
}

Result<Ok, std::string> write_rc_file(const std::string& path, std::string_view text) {
  const std::string target = write_target(path);
  const std::string updated = target + ".updated";
  if (auto created = create_private_file(updated, text); !created) {
    std::string message = "Unable to create temporary rc file: " + updated + ": " + created.error();
    if (name_exists(updated)) message += " (left by an interrupted save? remove it and retry)";
    return fail(std::move(message));
  }
  if (::rename(updated.c_str(), target.c_str()) != 0) {
    const int error = errno;
    ::unlink(updated.c_str());
    return fail("Unable to rename " + updated + " to " + target + ": " + errno_text(error));
  }
  sync_directory_of(target);
  return Ok{};
}

Result<std::vector<std::string>, std::string> save_rc_stanza_to_file(
    const std::string& path, std::string_view stanza, const ClientSettings& given,
    const std::function<bool(std::string_view variable)>& overwrite_critical) {
  WipedText old_text;
  {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0 && errno != ENOENT) return fail("Unable to open rc file: " + path + ": " + errno_text(errno));
    if (fd.get() >= 0) {
      if (const int error = read_all(fd.get(), old_text.text); error != 0)
        return fail("Unable to read rc file: " + path + ": " +
                    (error == EFBIG ? std::string("larger than 16 MiB") : errno_text(error)));
    }
  }
  auto saved = save_rc_stanza(old_text.text, stanza, given, overwrite_critical);
  if (!saved) return fail(saved.error());
  WipedText new_text;
  new_text.text = std::move(saved->text);
  if (auto written = write_rc_file(path, new_text.text); !written) return fail(written.error());
  return std::move(saved->kept_critical);
}

}  // namespace sesame::config
