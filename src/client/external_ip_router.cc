// SPDX-License-Identifier: GPL-2.0-or-later
// -R in the router build (SESAME_ROUTER_BUILD, docs/router-build.md): there is no libcurl (nor its headers), so
// resolving the external address is refused with one line saying what to do instead. Replaces external_ip.cc (the
// client calls nothing else of external_ip.h).
#include "client/external_ip.h"

namespace sesame::client {

Result<std::string> resolve_external_ip(const ResolveRequest& /*request*/) {
  return fail(
      ClientError{"-R is not in this router build of sesame (SESAME_ROUTER_BUILD, no libcurl): give the "
                  "address with -a"});
}

}  // namespace sesame::client
