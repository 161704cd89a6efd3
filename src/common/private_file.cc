// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

namespace sesame {

Result<Ok, std::string> write_private_file(const std::string& path, std::string_view text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.is_valid()) return fail("cannot write " + path + ": " + std::strerror(errno));
  // An existing file keeps its mode on open(): make sure no one else can read the new secret.
  if (::fchmod(fd.get(), 0600) != 0) return fail("cannot chmod 600 " + path + ": " + std::strerror(errno));
  while (!text.empty()) {
    const ssize_t written = ::write(fd.get(), text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return fail("cannot write " + path + ": " + std::strerror(errno));
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return Ok{};
}

}  // namespace sesame
