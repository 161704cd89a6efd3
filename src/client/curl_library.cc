// SPDX-License-Identifier: GPL-2.0-or-later
// dlopen()/dlsym() of the few libcurl functions -R uses.
#include "client/curl_library.h"

#include <dlfcn.h>

#include <optional>
#include <string>

namespace sesame::client {
namespace {

template <class Function>
bool bind(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  return function != nullptr;
}

Result<CurlLibrary> load() {
  // The soname of libcurl4 (Debian's libcurl4 / libcurl4-openssl-dev ABI since 7.16).
  void* library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return fail(ClientError{std::string("-R needs libcurl: ") + dlerror()});
  CurlLibrary curl{};
  if (!bind(library, "curl_global_init", curl.global_init) || !bind(library, "curl_easy_init", curl.easy_init) ||
      !bind(library, "curl_easy_setopt", curl.easy_setopt) || !bind(library, "curl_easy_perform", curl.easy_perform) ||
      !bind(library, "curl_easy_getinfo", curl.easy_getinfo) ||
      !bind(library, "curl_easy_cleanup", curl.easy_cleanup) ||
      !bind(library, "curl_easy_strerror", curl.easy_strerror))
    return fail(ClientError{"-R needs libcurl: a function is missing from libcurl.so.4"});
  // curl_global_init is not thread-safe before 7.84: it runs here exactly once, inside the static below.
  if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return fail(ClientError{"cannot initialise libcurl"});
  return curl;  // the library stays loaded for the life of the process
}

}  // namespace

Result<const CurlLibrary*> curl_library() {
  static const Result<CurlLibrary> loaded = load();
  if (!loaded) return fail(loaded.error());
  return &loaded.value();
}

}  // namespace sesame::client
