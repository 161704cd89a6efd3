// SPDX-License-Identifier: GPL-2.0-or-later
// Stands in for libsystemd's header in the router build (SESAME_ROUTER_BUILD, docs/router-build.md): the one
// function sesamed calls, implemented without libsystemd in daemon/sd_notify_router.cc. On the include path of that
// build only, ahead of the system's headers, so daemon.cc is the same in every build.
#pragma once

extern "C" int sd_notify(int unset_environment, const char* state);
