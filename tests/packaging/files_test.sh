#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The files in packaging/ without installing them: apparmor_parser -Q accepts the profile (SKIPPED when
# apparmor_parser is absent), the bash completions parse and offer every option that `sesame --help` and
# `sesamed --help` list, and the example configs are refused only for their placeholder keys.
# Usage: files_test.sh SOURCE_DIR SESAME SESAMED
set -euo pipefail
source_dir=${1:?usage: files_test.sh SOURCE_DIR SESAME SESAMED}
sesame=${2:?}
sesamed=${3:?}
packaging=$source_dir/packaging
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

echo "== bash completion covers --help"
for pair in "sesame:$sesame" "sesamed:$sesamed"; do
  name=${pair%%:*}
  program=${pair#*:}
  completion=$packaging/bash-completion/$name
  bash -n "$completion" || fail "$completion does not parse"
  options=$("$program" --help | grep -oE '(^|[ ,])-{1,2}[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,]//' | sort -u)
  [ -n "$options" ] || fail "$name --help lists no options"
  for option in $options; do
    grep -qE -- "(^|[ '])$option( |'|\$)" "$completion" || fail "$completion does not offer $option"
  done
done

echo "== example configs: refused for the placeholder keys only"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s#/etc/sesame/access.conf#$work/access.conf#; s#/var/lib/sesame/#$work/#" "$packaging/sesamed.conf" \
  >"$work/sesamed.conf"
install -m 0600 "$packaging/access.conf" "$work/access.conf"
if "$sesamed" --exit-parse-config -c "$work/sesamed.conf" >"$work/parse.log" 2>&1; then
  fail "the example config is accepted"
fi
grep -q 'KEY_BASE64: still the __CHANGEME__ placeholder' "$work/parse.log" || fail "no message naming KEY_BASE64"
grep -q 'HMAC_KEY_BASE64: still the __CHANGEME__ placeholder' "$work/parse.log" || fail "no message naming HMAC_KEY"
# With real keys in place of the placeholders, nothing else in the examples is an error.
"$sesamed" --key-gen | sed 's/: */ /' >"$work/keys"
grep -v '__CHANGEME__' "$packaging/access.conf" >"$work/access.conf"
cat "$work/keys" >>"$work/access.conf"
"$sesamed" --exit-parse-config -c "$work/sesamed.conf" >"$work/parse.log" 2>&1 || {
  cat "$work/parse.log" >&2
  fail "the example config with keys is refused"
}

if command -v systemd-analyze >/dev/null; then
  echo "== systemd-analyze security --offline (the unit's exposure)"
  systemd-analyze security --offline=true "$packaging/sesamed.service" 2>/dev/null | tail -1
fi

if command -v apparmor_parser >/dev/null; then
  echo "== apparmor_parser -Q"
  apparmor_parser -Q -K "$packaging/apparmor/usr.sbin.sesamed" 2>"$work/aa.log" || {
    cat "$work/aa.log" >&2
    fail "apparmor_parser refuses the profile"
  }
  [ $failures -eq 0 ] || exit 1
else
  [ $failures -eq 0 ] || exit 1
  echo "SKIPPED: apparmor_parser is not installed (package apparmor): the profile is not checked"
  exit 77
fi
echo "PASSED"
