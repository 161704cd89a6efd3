// SPDX-License-Identifier: GPL-2.0-or-later
// Finding and reading fwknopd.conf and its override files (fwknopd's config_init and parse_config_file,
// server/config_init.c; verify_file_perms_ownership, server/utils.c).
#include "config/server_config_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"
#include "config/server_config_parser.h"

namespace sesame::config {
namespace {

constexpr std::size_t kMaxConfigFileSize = 16 * 1024 * 1024;  // fwknopd.conf is ~24 KB; this stops /dev/zero
constexpr mode_t kConfigFileMode = S_IRUSR | S_IWUSR;

bool name_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Reads all of `fd` into `out`; an errno value on failure, EFBIG past kMaxConfigFileSize.
int read_all(int fd, std::string& out) {
  char buffer[8192];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno;
    if (got == 0) return 0;
    if (out.size() + static_cast<std::size_t>(got) > kMaxConfigFileSize) return EFBIG;
    out.append(buffer, static_cast<std::size_t>(got));
  }
}

// Opens, checks and reads one config file. fwknopd exits on a missing or non-regular file and only warns about
// mode and owner ("when we start enforcing this", its comment says); sesame does the same.
std::optional<std::string> read_config_file(const std::string& path, std::vector<ConfigError>& errors,
                                            std::vector<ConfigError>& warnings) {
  // O_NONBLOCK: a FIFO put in the file's place must not hang the start-up; fstat below refuses it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    const int error = errno;
    errors.push_back(
        {path, 0, error == ENOENT ? "config file not found" : std::string("cannot open: ") + std::strerror(error)});
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    errors.push_back({path, 0, std::string("cannot stat: ") + std::strerror(errno)});
    return std::nullopt;
  }
  // fstat, not stat: what is checked is what is read.
  if (!S_ISREG(st.st_mode)) {
    errors.push_back({path, 0, "not a regular file"});
    return std::nullopt;
  }
  if ((st.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO)) != kConfigFileMode)
    warnings.push_back({path, 0, "permissions should only be user read/write (0600, -rw-------); fix with chmod 600"});
  if (st.st_uid != ::getuid()) warnings.push_back({path, 0, "not owned by the current user"});
  std::string text;
  if (const int error = read_all(fd.get(), text); error != 0) {
    errors.push_back(
        {path, 0,
         error == EFBIG ? std::string("larger than 16 MiB") : std::string("cannot read: ") + std::strerror(error)});
    return std::nullopt;
  }
  return text;
}

// Reads, parses and applies one file; false when it could not be read.
bool load_one(const std::string& path, LoadedServerConfig& loaded, std::vector<ConfigError>& errors) {
  const auto text = read_config_file(path, errors, loaded.warnings);
  if (!text) return false;
  loaded.files.push_back(path);
  const ServerConfigFile file = parse_server_config(path, *text);
  const auto first = static_cast<std::ptrdiff_t>(errors.size());
  errors.insert(errors.end(), file.errors.begin(), file.errors.end());
  auto warnings = apply_server_config(loaded.config, file, errors);
  // Syntax and value errors interleaved, in line order: as a reader goes through the file.
  std::stable_sort(errors.begin() + first, errors.end(),
                   [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  loaded.warnings.insert(loaded.warnings.end(), warnings.begin(), warnings.end());
  return true;
}

// "a,b,c" as fwknopd splits it (on every comma, no trimming); an empty name is an error at `file`:`line`.
std::vector<std::string> split_override_list(std::string_view list, const std::string& file, int line,
                                             std::vector<ConfigError>& errors) {
  std::vector<std::string> paths;
  std::size_t at = 0;
  while (true) {
    const std::size_t comma = list.find(',', at);
    const std::string_view path = list.substr(at, comma == std::string_view::npos ? list.npos : comma - at);
    if (path.empty())
      errors.push_back({file, line, "OVERRIDE_CONFIG: \"" + std::string(list) + "\" has an empty file name"});
    else
      paths.emplace_back(path);
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  return paths;
}

}  // namespace

std::string find_server_config_file(const ServerConfigLookup& lookup) {
  if (lookup.config_file) return *lookup.config_file;
  for (const auto& path : lookup.default_paths)
    if (name_exists(path)) return path;
  return lookup.default_paths.empty() ? std::string(kFwknopServerConfigPath) : lookup.default_paths.back();
}

Result<LoadedServerConfig, std::vector<ConfigError>> load_server_config(const ServerConfigLookup& lookup) {
  LoadedServerConfig loaded;
  std::vector<ConfigError> errors;
  const std::string path = find_server_config_file(lookup);
  // Set before the files are read, as fwknopd's option pass sets them: lines may say "$CONFIG_FILE".
  set_server_variable(loaded.config, "CONFIG_FILE", path, "-c", errors);
  if (lookup.override_config)
    set_server_variable(loaded.config, "OVERRIDE_CONFIG", *lookup.override_config, "-O", errors);

  if (!load_one(path, loaded, errors)) return fail(std::move(errors));

  // fwknopd reads the override files named by OVERRIDE_CONFIG after the main file, so an OVERRIDE_CONFIG line in
  // the main file works like -O. There the line even replaces -O; here -O wins, as command-line options do.
  std::vector<std::string> overrides;
  if (lookup.override_config) {
    set_server_variable(loaded.config, "OVERRIDE_CONFIG", *lookup.override_config, "-O", errors);
    overrides = split_override_list(*lookup.override_config, "-O", 0, errors);
  } else if (const auto found = loaded.config.settings.find("OVERRIDE_CONFIG"); found != loaded.config.settings.end()) {
    overrides = split_override_list(found->second.text, found->second.file, found->second.line, errors);
  }
  for (const auto& override_path : overrides) load_one(override_path, loaded, errors);

  check_server_config(loaded.config, errors);
  if (!errors.empty()) return fail(std::move(errors));
  return loaded;
}

}  // namespace sesame::config
