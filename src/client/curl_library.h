// SPDX-License-Identifier: GPL-2.0-or-later
// libcurl, loaded when -R first needs it. Linked normally, libcurl drags ~35 shared libraries (GnuTLS, Kerberos,
// LDAP, ...) into every client start: ~13 of the client's ~15 ms, for a feature most runs never use.
#pragma once

#include <curl/curl.h>

#include "client/client_error.h"

namespace sesame::client {

struct CurlLibrary {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL* handle, CURLoption option, ...);
  CURLcode (*easy_perform)(CURL* handle);
  CURLcode (*easy_getinfo)(CURL* handle, CURLINFO info, ...);
  void (*easy_cleanup)(CURL* handle);
  const char* (*easy_strerror)(CURLcode code);
};

// libcurl.so.4, opened and initialised once (curl_global_init); the error names what is missing.
Result<const CurlLibrary*> curl_library();

}  // namespace sesame::client
