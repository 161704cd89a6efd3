// SPDX-License-Identifier: GPL-2.0-or-later
// A shared library loaded with dlopen() on first use (GPGME, libcurl, libqrencode, libpng): the code uses their
// headers' types, but their code and their dependencies are mapped only when a feature needs them, not at every
// start. Loaded libraries stay for the life of the process.
#pragma once

#include <dlfcn.h>

#include <string>

#include "common/result.h"

namespace sesame {

class SharedLibrary {
 public:
  // RTLD_NOW | RTLD_LOCAL; the error is dlerror()'s text (it names the file).
  static Result<SharedLibrary, std::string> open(const char* soname) {
    void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return fail(std::string(::dlerror()));
    return SharedLibrary(handle);
  }

  // Sets `function` to the symbol `name`; false (and the first missing name kept) when there is none.
  template <class Function>
  bool bind(const char* name, Function& function) {
    function = reinterpret_cast<Function>(::dlsym(handle_, name));
    if (function == nullptr && missing_.empty()) missing_ = name;
    return function != nullptr;
  }
  // The first name bind() did not find, or "".
  const std::string& first_missing() const { return missing_; }

 private:
  explicit SharedLibrary(void* handle) : handle_(handle) {}
  void* handle_;
  std::string missing_;
};

}  // namespace sesame
