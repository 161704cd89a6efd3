// SPDX-License-Identifier: GPL-2.0-or-later
// Reading access.conf files and following their includes (fwknop's parse_access_file, parse_access_folder and
// include_keys_file, server/access.c, and verify_file_perms_ownership, server/utils.c).
#include "config/access_loader.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <set>

#include "common/unique_fd.h"

namespace sesame::config {
namespace {

constexpr int kMaxDepth = 3;                            // fwknop's MAX_DEPTH
constexpr std::size_t kMaxFileSize = 16 * 1024 * 1024;  // access files are KB; this stops /dev/zero
constexpr mode_t kPrivateMode = S_IRUSR | S_IWUSR;
constexpr std::size_t kAccountBufferSize = 64 * 1024;  // getpwnam_r/getgrnam_r scratch space
constexpr std::size_t kMaxEchoedPath = 256;

std::string errno_text(int error) {
  return std::strerror(error);
}

// A path in a message: control bytes escaped, as a file name may hold anything.
std::string quoted(std::string_view path) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : path.substr(0, kMaxEchoedPath)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  if (path.size() > kMaxEchoedPath) out += "...";
  return out + "\"";
}

// The whole text of an access or key file, held as a secret since it holds keys. Sized from fstat and read
// into place, so that no reallocation leaves an unwiped copy behind.
Result<SecretBytes, std::string> read_config_file(const std::string& path, std::vector<ConfigError>& warnings) {
  // O_NONBLOCK: opening a FIFO put in the file's place must not hang the daemon; it is refused below.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return fail(errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(errno_text(errno));
  if (!S_ISREG(st.st_mode)) return fail(std::string("not a regular file"));
  if (static_cast<std::uint64_t>(st.st_size) > kMaxFileSize) return fail(std::string("larger than 16 MiB"));
  // fwknop's verify_file_perms_ownership: warnings only, so that an existing setup still starts.
  if ((st.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO)) != kPrivateMode)
    warnings.push_back({path, 0,
                        "permissions should only be user read/write (0600, -rw-------): other users may "
                        "read its keys; fix with chmod 600"});
  if (st.st_uid != ::geteuid()) warnings.push_back({path, 0, "not owned by the effective user id"});

  SecretBytes text(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd.get(), text.mutable_bytes().data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno_text(errno));
    if (n == 0) break;  // shrank since fstat: what was there is the file
    got += static_cast<std::size_t>(n);
  }
  if (got < text.size()) return SecretBytes(text.bytes().first(got));
  return text;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

struct Account {
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<Account> find_user(const std::string& name) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buffer(kAccountBufferSize);
  if (::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 || !found) return std::nullopt;
  return Account{found->pw_uid, found->pw_gid};
}

// A group name, or (as fwknopd reads every *_GROUP value) a user name standing for its primary group.
std::optional<gid_t> find_group(const std::string& name) {
  struct group gr {};
  struct group* found = nullptr;
  std::vector<char> buffer(kAccountBufferSize);
  if (::getgrnam_r(name.c_str(), &gr, buffer.data(), buffer.size(), &found) == 0 && found) return found->gr_gid;
  if (const auto user = find_user(name)) return user->gid;
  return std::nullopt;
}

// Where an include directive is, for the errors of what it names.
struct Directive {
  std::string_view file;
  int line = 0;
  std::string_view name;  // "%include", "%include_folder"
};

class AccessLoader {
 public:
  explicit AccessLoader(const AccessDefaults& defaults) : defaults_(defaults) {}

  void load_file(const std::string& path, int depth, const Directive* from) {
    auto text = read_config_file(path, config_.warnings);
    if (!text) return add_read_error(path, text.error(), from);
    AccessFile parsed = parse_with_key_files(path, text->as_text());
    std::move(parsed.errors.begin(), parsed.errors.end(), std::back_inserter(errors_));
    std::move(parsed.warnings.begin(), parsed.warnings.end(), std::back_inserter(config_.warnings));

    // Included stanzas go where their directive is, as fwknopd appends them to its list while reading.
    std::size_t next = 0;
    for (const auto& include : parsed.includes) {
      if (include.kind == IncludeKind::kKeys) continue;
      while (next < include.stanza_index && next < parsed.stanzas.size())
        config_.stanzas.push_back(std::move(parsed.stanzas[next++]));
      const bool is_folder = include.kind == IncludeKind::kFolder;
      const Directive directive{path, include.line, is_folder ? "%include_folder" : "%include"};
      if (depth >= kMaxDepth) {
        errors_.push_back(
            {path, include.line,
             std::string(directive.name) + ": " + quoted(include.path) + ": Refusing to go deeper than 3 levels"});
        continue;
      }
      if (is_folder)
        load_folder(include.path, depth + 1, &directive);
      else
        load_file(include.path, depth + 1, &directive);
    }
    while (next < parsed.stanzas.size()) config_.stanzas.push_back(std::move(parsed.stanzas[next++]));
  }

  // Every *.conf in `dir`, in name order, each at `depth`.
  void load_folder(const std::string& dir, int depth, const Directive* from) {
    std::string base = dir;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(base.c_str()), &::closedir);
    if (!handle) return add_read_error(base, errno_text(errno), from);
    std::vector<std::string> names;
    while (const dirent* entry = ::readdir(handle.get())) {
      const std::string_view name = entry->d_name;
      if (ends_with(name, ".conf")) {
        names.emplace_back(name);
      } else if (const auto dot = name.rfind('.');
                 dot != std::string_view::npos && name.substr(dot).starts_with(".conf")) {
        config_.warnings.push_back({base + "/" + std::string(name), 0,
                                    "skipped: only names ending in .conf are read (fwknopd would read this one)"});
      }
    }
    handle.reset();
    std::sort(names.begin(), names.end());
    for (const auto& name : names) load_file(base == "/" ? "/" + name : base + "/" + name, depth, from);
  }

  Result<AccessConfig, std::vector<ConfigError>> finish(const std::string& root) && {
    if (errors_.empty() && config_.stanzas.empty())
      errors_.push_back({root, 0, "no access stanza: each stanza begins with a SOURCE line"});
    for (auto& stanza : config_.stanzas) check_system_names(stanza);
    if (!errors_.empty()) return fail(std::move(errors_));
    return std::move(config_);
  }

 private:
  void add_read_error(const std::string& path, const std::string& reason, const Directive* from) {
    if (from)
      errors_.push_back(
          {std::string(from->file), from->line, std::string(from->name) + ": " + quoted(path) + ": " + reason});
    else
      errors_.push_back({path, 0, reason});
  }

  // Parses until every %include_keys file the stanzas name has been offered: a stanza dropped for a missing
  // key file skips its later lines, so a second %include_keys in it only shows once the first file is there.
  AccessFile parse_with_key_files(const std::string& path, std::string_view text) {
    KeyFileTexts key_files;
    std::deque<SecretBytes> key_texts;  // deque: the views in key_files stay valid as it grows
    std::set<std::string, std::less<>> tried;
    AccessFile parsed = parse_access(path, text, defaults_);
    while (true) {
      bool has_new = false;
      for (const auto& include : parsed.includes) {
        if (include.kind != IncludeKind::kKeys || !tried.insert(include.path).second) continue;
        has_new = true;
        auto key_text = read_config_file(include.path, config_.warnings);
        if (!key_text) {
          config_.warnings.push_back(
              {path, include.line, "%include_keys: " + quoted(include.path) + ": " + key_text.error()});
          continue;
        }
        key_texts.push_back(std::move(*key_text));
        key_files.emplace(include.path, key_texts.back().as_text());
      }
      if (!has_new) return parsed;
      parsed = parse_access(path, text, defaults_, key_files);
    }
  }

  void check_system_names(AccessStanza& stanza) {
    const auto error = [&](const SystemName& name, std::string_view variable, std::string_view expectation) {
      errors_.push_back({stanza.file, name.line,
                         std::string(variable) + ": " + quoted(name.name) + " is not " + std::string(expectation)});
    };
    if (stanza.cmd_exec_user) {
      if (const auto user = find_user(stanza.cmd_exec_user->name)) {
        stanza.cmd_exec_uid = user->uid;
        stanza.cmd_exec_gid = user->gid;  // fwknop: the user's group unless CMD_EXEC_GROUP says otherwise
      } else {
        error(*stanza.cmd_exec_user, "CMD_EXEC_USER", "a user on this system");
      }
    }
    if (stanza.cmd_exec_group) {
      if (const auto gid = find_group(stanza.cmd_exec_group->name))
        stanza.cmd_exec_gid = *gid;
      else
        error(*stanza.cmd_exec_group, "CMD_EXEC_GROUP", "a group on this system");
    }
    if (stanza.cmd_sudo_exec_user && !find_user(stanza.cmd_sudo_exec_user->name))
      error(*stanza.cmd_sudo_exec_user, "CMD_SUDO_EXEC_USER", "a user on this system");
    if (stanza.cmd_sudo_exec_group && !find_group(stanza.cmd_sudo_exec_group->name))
      error(*stanza.cmd_sudo_exec_group, "CMD_SUDO_EXEC_GROUP", "a group on this system");
    // Only the stanza's own: fwknopd checks fwknopd.conf's GPG_HOME_DIR when it uses it, not here.
    if (stanza.gpg_home_dir && stanza.gpg_home_dir->line > 0) {
      struct stat st {};
      if (::stat(stanza.gpg_home_dir->name.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        error(*stanza.gpg_home_dir, "GPG_HOME_DIR", "a directory");
    }
  }

  const AccessDefaults& defaults_;
  AccessConfig config_;
  std::vector<ConfigError> errors_;
};

}  // namespace

Result<AccessConfig, std::vector<ConfigError>> load_access_config(const AccessLoadOptions& options) {
  AccessLoader loader(options.defaults);
  // fwknopd: the folder replaces the file, and each of its files starts at depth 1 as the -a file does.
  if (!options.access_folder.empty()) {
    loader.load_folder(options.access_folder, 1, nullptr);
    return std::move(loader).finish(options.access_folder);
  }
  loader.load_file(options.access_file, 1, nullptr);
  return std::move(loader).finish(options.access_file);
}

}  // namespace sesame::config
