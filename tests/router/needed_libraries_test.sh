#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The router build's promise (docs/router-build.md), checked on its binaries:
#  1. sesame needs no shared library but libc (and the dynamic loader); sesamed only libc, libm and the nftables
#     libraries fw4's nft already brings (libnftables, libnftnl, libmnl). nettle and libstdc++ are linked in.
#  2. No object of the build included a header of a library the build leaves out (ninja's recorded header
#     dependencies), so the build needs none of them installed.
# Usage: needed_libraries_test.sh BUILD_DIR SESAME SESAMED
set -euo pipefail
build_dir=$1 sesame=$2 sesamed=$3
failed=0

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

check() {  # binary, allowed sonames as an extended regex
  local binary=$1 allowed=$2 library
  for library in $(needed "$binary"); do
    if [[ ! $library =~ ^($allowed)$ ]]; then
      echo "FAIL: $(basename "$binary") needs $library, which the router build must not" >&2
      failed=1
    fi
  done
  echo "$(basename "$binary") NEEDED: $(needed "$binary" | tr '\n' ' ')"
}

libc='libc\.so\.[0-9]+|ld-linux[-a-z0-9_.]*\.so\.[0-9]+|ld-musl-[a-z0-9_]+\.so\.1|libm\.so\.[0-9]+'
check "$sesame" "$libc"
check "$sesamed" "$libc|libnftables\.so\.1|libnftnl\.so\.[0-9]+|libmnl\.so\.0"

# Headers of the left-out libraries: libseccomp, GPGME, libcurl, libqrencode, libpng, libpcap, libsystemd, hiredis,
# libnetfilter_queue/libnfnetlink.
left_out='/(seccomp\.h|gpgme\.h|curl/|qrencode\.h|png\.h|pcap[/.]|systemd/|hiredis/|libnetfilter_queue/|libnfnetlink/)'
included=$(ninja -C "$build_dir" -t deps 2>/dev/null | grep -E "^ +/.*$left_out" | grep -v '/router_include/' |
           sort -u || true)
if [[ -n $included ]]; then
  echo "FAIL: the router build included headers of libraries it leaves out:" >&2
  echo "$included" >&2
  failed=1
fi
exit "$failed"
