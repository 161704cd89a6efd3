// SPDX-License-Identifier: GPL-2.0-or-later
// Saving and re-reading the last command line.
#include "client/saved_args.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sesame::client {

Result<std::string> join_saved_args(const std::vector<std::string>& args) {
  std::string line;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i].find_first_of(" \t\n") != std::string::npos)
      return fail(ClientError{"argument with whitespace cannot be saved for -l: " + args[i]});
    if (i > 1) line += ' ';
    line += args[i];
  }
  if (line.size() > kMaxSavedArgsLength) return fail(ClientError{"command line too long to save for -l"});
  return line;
}

Result<std::vector<std::string>> split_saved_args(const std::string& program, const std::string& line) {
  std::vector<std::string> args{program};
  std::istringstream words(line);
  for (std::string word; words >> word;) args.push_back(word);
  if (args.size() - 1 > kMaxSavedArgs) return fail(ClientError{"saved command line has more than 30 arguments"});
  return args;
}

Result<std::string> read_saved_args(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ClientError{"no saved command line in " + path});
  std::string line;
  std::getline(in, line);
  return line;
}

Result<Ok> write_saved_args(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail(ClientError{"cannot write " + path + ": " + std::strerror(errno)});
  const std::string text = line + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::fchmod(fd, 0600);
  ::close(fd);
  if (!written) return fail(ClientError{"cannot write " + path});
  return Ok{};
}

}  // namespace sesame::client
