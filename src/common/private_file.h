// SPDX-License-Identifier: GPL-2.0-or-later
// Writing a file that holds a secret: created 0600 (whatever the umask), a symlink at the path refused.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace sesame {

// Replaces the file's contents; the error names the path.
Result<Ok, std::string> write_private_file(const std::string& path, std::string_view text);

}  // namespace sesame
