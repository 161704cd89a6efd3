// SPDX-License-Identifier: GPL-2.0-or-later
// Which options a command line names. CLI11 2.1 checks every option it is given against all earlier ones (a copy
// of each name list per pair), so setting up all ~75 fwknop options was ~60 % of a whole knock's instructions.
// The parser is told only about the options the arguments can name; anything it does not understand (help, an
// unknown or misspelt option) is parsed again with every option, so messages and --help stay complete.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sesame::client {

class NamedOptions {
 public:
  // Every option: for --help and for the second pass after an error.
  static NamedOptions all();
  // Only those `args` (the arguments after the program name) can name; `args` must outlive the result.
  static NamedOptions in(const std::vector<std::string>& args);

  // `names` is a CLI11 name list such as "-A,--access". True when any of them may be on the command line: a long
  // name given as `--name` or `--name=value`, a short name whose letter appears anywhere in an argument that starts
  // with a single '-' (so "-vT", "-Atcp/22" and values that look like options all count: more is harmless).
  bool may_name(std::string_view names) const;
  bool names_every_option() const { return all_; }

 private:
  bool all_ = false;
  std::string short_letters_;
  std::vector<std::string_view> long_names_;
};

}  // namespace sesame::client
