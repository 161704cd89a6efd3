#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages leave nothing undocumented: every option that `sesame --help`, `sesamed --help`,
# `sesame-inspect --help` and `sesame-launcher --help` list is in the page's markdown, every variable of
# server_config_parser.cc's table in sesamed.conf.5.md and every directive of access_parser.cc in access.conf.5.md.
# The pages pandoc built render with `groff -man -ww` without a warning and still show each of those names
# (markdown can swallow `*` and `_`).
# Without the built pages (SESAME_BUILD_MAN OFF) or without groff, the rendering part is SKIPPED.
# Usage: man_pages_test.sh SOURCE_DIR SESAME SESAMED SESAME_INSPECT SESAME_LAUNCHER [MAN_DIR]
set -euo pipefail
source_dir=${1:?usage: man_pages_test.sh SOURCE_DIR SESAME SESAMED SESAME_INSPECT SESAME_LAUNCHER [MAN_DIR]}
sesame=${2:?}
sesamed=${3:?}
sesame_inspect=${4:?}
sesame_launcher=${5:?}
man_dir=${6:-}
markdown=$source_dir/docs/man
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# The option names of a CLI11 --help: the first column of the lines that start with an option.
help_options() {
  "$1" --help | grep -E '^ +-' | sed -E 's/^ +//; s/ .*//' | tr ',' '\n' | grep -E '^-' | sort -u
}

# NAME as a whole word of FILE: not inside a longer option or variable (--key-len in --hmac-key-len, KEY in
# HMAC_KEY).
has_word() {
  local name=$1 file=$2
  local quoted
  quoted=$(printf '%s' "$name" | sed 's/[.[\*^$]/\\&/g')
  grep -qE -- "(^|[^A-Za-z0-9_%-])${quoted}([^A-Za-z0-9_-]|\$)" "$file"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# page name -> the names it must document, one per line.
echo "== --help options are in the man pages"
help_options "$sesame" >"$work/sesame.1.names"
help_options "$sesamed" >"$work/sesamed.8.names"
help_options "$sesame_inspect" >"$work/sesame-inspect.1.names"
help_options "$sesame_launcher" >"$work/sesame-launcher.1.names"
for page in sesame.1 sesamed.8 sesame-inspect.1 sesame-launcher.1; do
  [ -s "$work/$page.names" ] || fail "$page: --help lists no options"
  echo "$page: $(wc -l <"$work/$page.names") options"
done

echo "== sesamed.conf variables and access.conf directives are in their pages"
grep -oE 'Variable\{"[A-Z0-9_]+"' "$source_dir/src/config/server_config_parser.cc" | sed -E 's/.*"(.*)"/\1/' \
  >"$work/sesamed.conf.5.names"
grep -oE 'VarInfo\{"[^"]+"' "$source_dir/src/config/access_parser.cc" | sed -E 's/.*"(.*)"/\1/' \
  >"$work/access.conf.5.names"
# Sanity: the extraction found the tables (about 95 variables, 45 directives), not a stray match or two.
[ "$(wc -l <"$work/sesamed.conf.5.names")" -ge 90 ] || fail "found only $(wc -l <"$work/sesamed.conf.5.names") variables"
[ "$(wc -l <"$work/access.conf.5.names")" -ge 40 ] || fail "found only $(wc -l <"$work/access.conf.5.names") directives"
grep -qx '%include_keys' "$work/access.conf.5.names" || fail "access.conf directives: %include_keys not extracted"
echo "sesamed.conf.5: $(wc -l <"$work/sesamed.conf.5.names") variables, access.conf.5: $(wc -l <"$work/access.conf.5.names") directives"

pages=(sesame.1 sesamed.8 sesame-inspect.1 sesame-launcher.1 sesamed.conf.5 access.conf.5)
for page in "${pages[@]}"; do
  [ -f "$markdown/$page.md" ] || {
    fail "$markdown/$page.md is missing"
    continue
  }
  while read -r name; do
    has_word "$name" "$markdown/$page.md" || fail "$page.md does not document $name"
  done <"$work/$page.names"
done

if [ -z "$man_dir" ]; then
  [ $failures -eq 0 ] || exit 1
  echo "SKIPPED: no man page directory given (SESAME_BUILD_MAN is OFF): the rendered pages are not checked"
  exit 77
fi
if ! command -v groff >/dev/null; then
  [ $failures -eq 0 ] || exit 1
  echo "SKIPPED: groff is not installed (package groff): the rendered pages are not checked"
  exit 77
fi

echo "== the built pages render without warnings and show every name"
for page in "${pages[@]}"; do
  built=$man_dir/$page
  [ -f "$built" ] || {
    fail "$built was not built (cmake --build <dir> --target man)"
    continue
  }
  groff -man -Tutf8 -ww -z "$built" 2>"$work/warnings" || fail "groff fails on $page"
  if [ -s "$work/warnings" ]; then
    cat "$work/warnings" >&2
    fail "groff warns about $page"
  fi
  # Plain text in very long lines, so no name is broken at a line end; overstrike bold and underline removed.
  groff -man -Tascii -rLL=5000n "$built" 2>/dev/null | sed 's/.\x08//g' >"$work/$page.txt"
  grep -m1 . "$work/$page.txt" | grep -q "^$(echo "${page%.*}" | tr a-z A-Z)(${page##*.})" ||
    fail "$page: the title line is not $(echo "${page%.*}" | tr a-z A-Z)(${page##*.})"
  while read -r name; do
    has_word "$name" "$work/$page.txt" || fail "$page as rendered does not show $name"
  done <"$work/$page.names"
done

[ $failures -eq 0 ] || exit 1
echo "PASSED"
