#!/usr/bin/env bash
# Installs Debian packages the test scripts need when a machine lacks them (a fresh CI machine has neither
# chromium nor, always, the PostgreSQL server binaries).
#
#   bash scripts/apt-install.sh PKG...      # no-op for packages already installed
#
# `apt-get update` runs only when the plain install fails (stale or empty package lists), so a warm machine
# asks no mirror. Serialised with flock: apt's own lock makes concurrent installs fail instead of wait.
# Output goes to ${DJANGO_MULTIDB_CACHE}/apt.log; on failure its last lines are printed.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: apt-install.sh PKG..." >&2; exit 2; }
cache="${DJANGO_MULTIDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-multidb}"
mkdir -p "$cache"
alog="$cache/apt.log"
missing=()
for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -gt 0 ] || exit 0
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
command -v apt-get >/dev/null 2>&1 || { echo "apt-install: ${missing[*]} missing and no apt-get on this machine; install them by hand" >&2; exit 1; }
exec 7>"$cache/apt.lock"
flock 7
echo "apt-install: installing ${missing[*]}" >&2
# policy-rc.d 101: packages such as postgresql must not start system services of their own here; the tests
# run their own throwaway servers on ports of their own.
restore=""
if [ "$(id -u)" = 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && restore=1
fi
cleanup() { [ -z "$restore" ] || rm -f /usr/sbin/policy-rc.d; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
{ $sudo apt-get install -y -q "${missing[@]}" > "$alog" 2>&1; } || {
  echo "apt-install: apt-get install failed; running apt-get update and retrying" >&2
  $sudo apt-get update -q >> "$alog" 2>&1 && $sudo apt-get install -y -q "${missing[@]}" >> "$alog" 2>&1; } || {
  echo "apt-install: apt-get install ${missing[*]} failed; last lines of $alog:" >&2; tail -n 20 "$alog" >&2; exit 1; }
