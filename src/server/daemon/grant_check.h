// SPDX-License-Identifier: GPL-2.0-or-later
// check_grant: the privileged parent's own look at a request the packet side accepted (PRIVILEGE_SEPARATION).
// The child may be compromised, so the parent trusts nothing it did: each request is checked again against the
// parent's copy of access.conf and fwknopd.conf, and only what the configuration allows reaches the firewall or
// a command. It cannot check what only the packet proved (the HMAC, the replay cache): a compromised child can
// still open what the stanza allows, for the addresses the stanza allows, and no more.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "config/access_loader.h"
#include "server/access_request.h"
#include "server/pipeline.h"

namespace sesame::server::daemon {

// Ok, or why the request is out of policy (one phrase for the refusal's log line).
Result<Ok, std::string> check_grant(const AccessRequest& request, const config::AccessConfig& access,
                                    const PipelineSettings& settings, std::int64_t now_s);

}  // namespace sesame::server::daemon
