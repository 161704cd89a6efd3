// SPDX-License-Identifier: GPL-2.0-or-later
// The saved command line behind -l/--last-cmd and --show-last (client.md §8): argv joined by spaces.
#pragma once

#include <string>
#include <vector>

#include "client/client_error.h"

namespace sesame::client {

// fwknop refuses to save a command line of 1024 characters or more, and re-reads at most 30 arguments.
constexpr std::size_t kMaxSavedArgsLength = 1023;
constexpr std::size_t kMaxSavedArgs = 30;

// argv without the program name, joined by single spaces (no quoting, as fwknop: arguments with spaces do not
// survive, and -l says so rather than guessing).
Result<std::string> join_saved_args(const std::vector<std::string>& args);
// The saved line split on whitespace, program name first.
Result<std::vector<std::string>> split_saved_args(const std::string& program, const std::string& line);

Result<std::string> read_saved_args(const std::string& path);
Result<Ok> write_saved_args(const std::string& path, const std::string& line);  // mode 0600

}  // namespace sesame::client
