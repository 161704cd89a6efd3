// SPDX-License-Identifier: GPL-2.0-or-later
#include "client/named_options.h"

#include <algorithm>

namespace sesame::client {
namespace {

bool is_long(std::string_view arg) {
  return arg.size() > 2 && arg.starts_with("--");
}

bool is_short(std::string_view arg) {
  return arg.size() > 1 && arg[0] == '-' && arg[1] != '-';
}

}  // namespace

NamedOptions NamedOptions::all() {
  NamedOptions named;
  named.all_ = true;
  return named;
}

NamedOptions NamedOptions::in(const std::vector<std::string>& args) {
  NamedOptions named;
  for (const std::string& arg : args) {
    if (is_long(arg)) {
      named.long_names_.push_back(std::string_view(arg).substr(0, arg.find('=')));
    } else if (is_short(arg)) {
      named.short_letters_.append(arg, 1);
    }
  }
  return named;
}

bool NamedOptions::may_name(std::string_view names) const {
  if (all_) return true;
  while (!names.empty()) {
    const auto comma = names.find(',');
    const std::string_view name = names.substr(0, comma);
    names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 1);
    if (is_long(name)) {
      if (std::find(long_names_.begin(), long_names_.end(), name) != long_names_.end()) return true;
    } else if (name.size() == 2 && is_short(name)) {
      if (short_letters_.find(name[1]) != std::string::npos) return true;
    }
  }
  return false;
}

}  // namespace sesame::client
