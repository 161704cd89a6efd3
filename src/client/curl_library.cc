// SPDX-License-Identifier: GPL-2.0-or-later
// dlopen()/dlsym() of the few libcurl functions -R uses.
#include "client/curl_library.h"

#include <optional>
#include <string>

#include "common/shared_library.h"

namespace sesame::client {
namespace {

Result<CurlLibrary> load() {
  // The soname of libcurl4 (Debian's libcurl4 / libcurl4-openssl-dev ABI since 7.16).
  auto library = SharedLibrary::open("libcurl.so.4");
  if (!library) return fail(ClientError{"-R needs libcurl: " + library.error()});
  CurlLibrary curl{};
  if (!library->bind("curl_global_init", curl.global_init) || !library->bind("curl_easy_init", curl.easy_init) ||
      !library->bind("curl_easy_setopt", curl.easy_setopt) || !library->bind("curl_easy_perform", curl.easy_perform) ||
      !library->bind("curl_easy_getinfo", curl.easy_getinfo) ||
      !library->bind("curl_easy_cleanup", curl.easy_cleanup) ||
      !library->bind("curl_easy_strerror", curl.easy_strerror))
    return fail(ClientError{"-R needs libcurl: libcurl.so.4 has no " + library->first_missing()});
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
