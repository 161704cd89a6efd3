#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages as an operator meets them: cpack builds sesame-client and sesame-server from this build
# tree; their contents, dependencies and conffiles are checked; dpkg installs both; the example config is refused
# with a message naming the keys; a real config is written; the unit passes `systemd-analyze verify`; the
# installed sesamed runs as the unit would run it (user sesame, CAP_NET_ADMIN + CAP_NET_RAW only, sd_notify) in
# a private network namespace, grants a knock from the installed client, reloads on SIGHUP; then dpkg -r stops it
# and dpkg -P leaves nothing in /etc/sesame or /var/lib/sesame. Root only: otherwise SKIPPED (exit 77).
# Usage: deb_test.sh BUILD_DIR
set -euo pipefail

build_dir=$(cd "${1:?usage: deb_test.sh BUILD_DIR}" && pwd)

skip() {
  echo "SKIPPED: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg -i, network namespaces)"
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps ip nft setpriv socat; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps)"
done
# Never take over an installation or a configuration that is not this test's own.
for package in sesame-server sesame-client; do
  if dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'installed\|config-files'; then
    skip "$package is already installed on this machine"
  fi
done
for path in /etc/sesame /var/lib/sesame /run/sesame /usr/sbin/sesamed /usr/bin/sesame; do
  [ ! -e "$path" ] || skip "$path already exists on this machine"
done

work=$(mktemp -d /tmp/sesame-deb-test.XXXXXX)
chmod 0755 "$work"
id=$$
octet=$((id % 200 + 20))
server_ns="sesame-deb-s-$id"
client_ns="sesame-deb-c-$id"
server_ip="10.215.$octet.1"
client_ip="10.215.$octet.2"
user_existed=no
getent passwd sesame >/dev/null && user_existed=yes
daemon_pid=""
notify_pid=""

cleanup() {
  local status=$?
  set +e
  [ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null
  [ -n "$notify_pid" ] && kill "$notify_pid" 2>/dev/null
  wait 2>/dev/null
  for package in sesame-server sesame-client; do
    if dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'installed\|config-files'; then
      dpkg -P "$package" >/dev/null 2>&1
    fi
  done
  [ "$user_existed" = no ] && getent passwd sesame >/dev/null && deluser --quiet --system sesame >/dev/null 2>&1
  [ "$user_existed" = no ] && getent group sesame >/dev/null && delgroup --quiet --system sesame >/dev/null 2>&1
  ip netns del "$server_ns" 2>/dev/null
  ip netns del "$client_ns" 2>/dev/null
  rm -rf "$work" /run/sesame
  if [ $status -eq 0 ]; then echo "PASSED"; else echo "FAILED (status $status)"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "== $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
expect_in() { # expect_in FILE PATTERN WHAT
  grep -qE -- "$2" "$1" || {
    cat "$1" >&2
    fail "$3"
  }
}

step "cpack -G DEB"
(cd "$work" && cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/packages" >"$work/cpack.log" 2>&1) ||
  {
    cat "$work/cpack.log" >&2
    fail "cpack failed"
  }
client_deb=$(ls "$work"/packages/sesame-client_*.deb)
server_deb=$(ls "$work"/packages/sesame-server_*.deb)

step "package contents, dependencies, conffiles"
dpkg-deb -c "$client_deb" >"$work/client.list"
dpkg-deb -c "$server_deb" >"$work/server.list"
awk '{print $6}' "$work/client.list" >"$work/client.files"
awk '{print $6}' "$work/server.list" >"$work/server.files"
for file in ./usr/bin/sesame ./usr/bin/sesame-inspect ./usr/bin/sesame-launcher ./usr/share/man/man1/sesame.1 \
  ./usr/share/man/man1/sesame-inspect.1 ./usr/share/man/man1/sesame-launcher.1 \
  ./usr/share/bash-completion/completions/sesame \
  ./usr/share/doc/sesame-client/copyright; do
  grep -qxF "$file" "$work/client.files" || fail "sesame-client lacks $file"
done
for file in ./usr/sbin/sesamed ./usr/share/man/man8/sesamed.8 ./usr/share/man/man5/sesamed.conf.5 \
  ./usr/share/man/man5/access.conf.5 ./etc/sesame/sesamed.conf ./etc/sesame/access.conf \
  ./lib/systemd/system/sesamed.service ./etc/apparmor.d/usr.sbin.sesamed \
  ./usr/share/bash-completion/completions/sesamed ./usr/share/doc/sesame-server/copyright; do
  grep -qxF "$file" "$work/server.files" || fail "sesame-server lacks $file"
done
grep -q sesamed "$work/client.files" && fail "sesame-client holds a server file"
grep -qE '^-rw------- root/root .* \./etc/sesame/access\.conf$' "$work/server.list" ||
  fail "access.conf is not 0600 root in the package"
client_depends=$(dpkg-deb -f "$client_deb" Depends)
server_depends=$(dpkg-deb -f "$server_deb" Depends)
echo "sesame-client Depends: $client_depends"
echo "sesame-server Depends: $server_depends"
for library in libc6 libgpgme11; do
  [[ $client_depends == *"$library"* ]] || fail "sesame-client does not depend on $library"
done
# nettle is linked into `sesame` (SESAME_CLIENT_STATIC_NETTLE, faster start-up); sesame-inspect and sesamed load
# the shared library. Nothing else is loaded at start: GPGME, libcurl, libqrencode come with dlopen() when needed.
dpkg-deb -x "$client_deb" "$work/client-tree"
needed=$(readelf -d "$work/client-tree/usr/bin/sesame" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "sesame needs: $needed"
extra=$(tr ' ' '\n' <<<"$needed" | grep -vE '^(libc\.so\.6|ld-linux-x86-64\.so\.2|)$' || true)
[[ -z $extra ]] || fail "sesame loads more than libc at start: $extra"
for library in libc6 libnettle8 libgpgme11 libpcap0.8 libsystemd0 libnftables1 libnftnl11 libmnl0 \
  libnetfilter-queue1 adduser; do
  [[ $server_depends == *"$library"* ]] || fail "sesame-server does not depend on $library"
done
# Loaded with dlopen() only when used, so named by hand: --qr needs libqrencode, -R libcurl.
[[ $(dpkg-deb -f "$client_deb" Recommends) == *libcurl4*libqrencode4* ]] || fail "sesame-client recommends no libcurl4/libqrencode4"
[[ $(dpkg-deb -f "$server_deb" Recommends) == *libqrencode4* ]] || fail "sesame-server recommends no libqrencode4"
dpkg-deb -I "$server_deb" conffiles >"$work/conffiles"
for file in /etc/sesame/sesamed.conf /etc/sesame/access.conf /etc/apparmor.d/usr.sbin.sesamed; do
  grep -qxF "$file" "$work/conffiles" || fail "$file is not a conffile"
done

step "dpkg -i"
dpkg -i "$client_deb" "$server_deb" >"$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2
  fail "dpkg -i failed"
}
getent passwd sesame >/dev/null || fail "postinst made no sesame user"
[ "$(stat -c '%U %a' /etc/sesame/access.conf)" = "sesame 600" ] || fail "access.conf: $(stat -c '%U %a' /etc/sesame/access.conf)"
[ "$(stat -c '%U %a' /etc/sesame/sesamed.conf)" = "sesame 600" ] || fail "sesamed.conf: $(stat -c '%U %a' /etc/sesame/sesamed.conf)"
/usr/bin/sesame --version >/dev/null || fail "installed sesame does not run"
/usr/bin/sesame-inspect --help >/dev/null || fail "installed sesame-inspect does not run"
/usr/bin/sesame-launcher --help >/dev/null || fail "installed sesame-launcher does not run"

# shellcheck disable=SC2054 # the commas are setpriv's capability lists
as_service=(setpriv --reuid=sesame --regid=sesame --init-groups --inh-caps=-all,+net_admin,+net_raw
  --ambient-caps=-all,+net_admin,+net_raw --bounding-set=-all,+net_admin,+net_raw --no-new-privs)

step "the example config is refused, naming the keys to set"
if "${as_service[@]}" /usr/sbin/sesamed --exit-parse-config >"$work/parse.log" 2>&1; then
  fail "sesamed accepted the example config"
fi
cat "$work/parse.log"
expect_in "$work/parse.log" 'access\.conf:[0-9]+: KEY_BASE64: .*set a real key' "no message naming KEY_BASE64"
expect_in "$work/parse.log" 'access\.conf:[0-9]+: HMAC_KEY_BASE64: .*set a real key' "no message naming HMAC_KEY_BASE64"

ip netns add "$server_ns"
ip netns add "$client_ns"
ip link add "sdeb${id}a" type veth peer name "sdeb${id}b"
ip link set "sdeb${id}a" netns "$server_ns"
ip link set "sdeb${id}b" netns "$client_ns"
ip -n "$server_ns" addr add "$server_ip/24" dev "sdeb${id}a"
ip -n "$client_ns" addr add "$client_ip/24" dev "sdeb${id}b"
for ns in "$server_ns" "$client_ns"; do ip -n "$ns" link set lo up; done
ip -n "$server_ns" link set "sdeb${id}a" up
ip -n "$client_ns" link set "sdeb${id}b" up

# What systemd's StateDirectory= and RuntimeDirectory= would make.
install -d -o sesame -g sesame -m 0700 /var/lib/sesame
install -d -o sesame -g sesame -m 0755 /run/sesame

if ip netns exec "$server_ns" "${as_service[@]}" /usr/sbin/sesamed -f >"$work/refused.log" 2>&1; then
  fail "sesamed started with the example config"
fi
expect_in "$work/refused.log" 'KEY_BASE64' "the refused start does not name the keys"
[ ! -e /run/sesame/sesamed.pid ] || fail "a refused start left a pid file"

step "a real config"
/usr/sbin/sesamed --key-gen >"$work/keys"
key=$(sed -n 's/^KEY_BASE64:* *//p' "$work/keys")
hmac_key=$(sed -n 's/^HMAC_KEY_BASE64:* *//p' "$work/keys")
[ -n "$key" ] && [ -n "$hmac_key" ] || fail "sesamed --key-gen printed no keys: $(cat "$work/keys")"
cat >/etc/sesame/access.conf <<EOF
SOURCE                  ANY
KEY_BASE64              $key
HMAC_KEY_BASE64         $hmac_key
REQUIRE_SOURCE_ADDRESS  Y
OPEN_PORTS              tcp/22
FW_ACCESS_TIMEOUT       30
EOF
"${as_service[@]}" /usr/sbin/sesamed --exit-parse-config >"$work/parse.log" 2>&1 || {
  cat "$work/parse.log" >&2
  fail "the real config is refused"
}

if command -v systemd-analyze >/dev/null; then
  step "systemd-analyze verify and security (offline)"
  systemd-analyze verify /lib/systemd/system/sesamed.service >"$work/verify.log" 2>&1 || {
    cat "$work/verify.log" >&2
    fail "systemd-analyze verify failed"
  }
  [ ! -s "$work/verify.log" ] || {
    cat "$work/verify.log" >&2
    fail "systemd-analyze verify warns"
  }
  systemd-analyze security --offline=true /lib/systemd/system/sesamed.service >"$work/security.log" 2>&1 || true
  exposure=$(sed -n 's/.*Overall exposure level for sesamed.service: \([0-9.]*\).*/\1/p' "$work/security.log")
  echo "exposure: ${exposure:-unknown}"
  [ -n "$exposure" ] || {
    cat "$work/security.log" >&2
    fail "no exposure level"
  }
  awk -v e="$exposure" 'BEGIN { exit !(e < 2.0) }' || fail "exposure $exposure is not below 2.0"
else
  echo "(systemd-analyze absent: unit not verified)"
fi
if command -v apparmor_parser >/dev/null; then
  step "apparmor_parser -Q on the installed profile"
  apparmor_parser -Q -K /etc/apparmor.d/usr.sbin.sesamed 2>&1 | grep -v '^Cache read/write disabled' || true
  apparmor_parser -Q -K /etc/apparmor.d/usr.sbin.sesamed >/dev/null 2>&1 || fail "apparmor_parser refuses the profile"
fi

step "sesamed as the unit runs it: user sesame, two capabilities, sd_notify"
socat -u "UNIX-RECV:$work/notify.sock" "OPEN:$work/notify.log,creat,append" &
notify_pid=$!
for _ in $(seq 50); do [ -S "$work/notify.sock" ] && break; sleep 0.1; done
chmod 0666 "$work/notify.sock"
ip netns exec "$server_ns" env NOTIFY_SOCKET="$work/notify.sock" "${as_service[@]}" /usr/sbin/sesamed -f --log-json \
  >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do grep -q 'READY=1' "$work/notify.log" 2>/dev/null && break; sleep 0.1; done
expect_in "$work/notify.log" 'READY=1' "no READY=1 on NOTIFY_SOCKET (daemon log: $(cat "$work/daemon.log"))"
[ "$(cat /run/sesame/sesamed.pid)" = "$daemon_pid" ] || fail "pid file: $(cat /run/sesame/sesamed.pid)"
[ "$(stat -c %U "/proc/$daemon_pid")" = sesame ] || fail "sesamed does not run as sesame"

ip netns exec "$client_ns" /usr/bin/sesame -A tcp/22 -a "$client_ip" -D "$server_ip" --use-hmac --key-base64-rijndael "$key" \
  --key-base64-hmac "$hmac_key" --no-rc-file --no-save-args >"$work/knock.log" 2>&1 || {
  cat "$work/knock.log" >&2
  fail "the installed client failed"
}
for _ in $(seq 50); do grep -q '"grant"' "$work/daemon.log" && break; sleep 0.1; done
expect_in "$work/daemon.log" '"grant"' "no grant for the knock"
ip netns exec "$server_ns" nft list set inet filter sesame_in4 >"$work/set.log" 2>&1
expect_in "$work/set.log" "$client_ip . tcp . 22" "the grant is not in the nftables set"

step "reload (SIGHUP, as ExecReload)"
kill -HUP "$daemon_pid"
for _ in $(seq 50); do grep -q 'Configuration reloaded' "$work/daemon.log" && break; sleep 0.1; done
expect_in "$work/daemon.log" 'Configuration reloaded' "no reload"
kill -0 "$daemon_pid" || fail "sesamed died on SIGHUP"

step "dpkg -r: the daemon is stopped, conffiles stay"
dpkg -r sesame-server sesame-client >"$work/remove.log" 2>&1 || {
  cat "$work/remove.log" >&2
  fail "dpkg -r failed"
}
for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon_pid" 2>/dev/null; then fail "sesamed still runs after dpkg -r"; fi
wait "$daemon_pid" || true
daemon_pid=""
[ ! -e /usr/sbin/sesamed ] && [ ! -e /usr/bin/sesame ] || fail "programs left after dpkg -r"
[ -f /etc/sesame/access.conf ] || fail "dpkg -r removed a conffile"

step "dpkg -P: nothing left"
dpkg -P sesame-server sesame-client >"$work/purge.log" 2>&1 || {
  cat "$work/purge.log" >&2
  fail "dpkg -P failed"
}
for path in /etc/sesame /var/lib/sesame /run/sesame /lib/systemd/system/sesamed.service \
  /etc/apparmor.d/usr.sbin.sesamed /usr/share/doc/sesame-server; do
  [ ! -e "$path" ] || fail "$path is left after dpkg -P"
done
for package in sesame-server sesame-client; do
  if dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'installed\|config-files'; then
    fail "$package is still known to dpkg"
  fi
done
