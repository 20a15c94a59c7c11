#!/usr/bin/env bash
# Installs the Debian packages the tests need when their commands are missing.
# Usage: ensure-debian-packages.sh [COMMAND:PACKAGE | --package-if-missing FILE:PACKAGE] ...
#   COMMAND:PACKAGE                   installs PACKAGE when COMMAND is not on PATH;
#   --package-if-missing FILE:PACKAGE installs PACKAGE when the file FILE (an absolute path,
#                                     e.g. a plug-in with no command of its own) does not exist.
# apt-get update runs once, and only when something is missing. A policy-rc.d forbids the
# packages from starting their own services (Knot, BIND, NSD would take port 53); the tests
# start every server themselves on loopback high ports and stop it by PID.
set -euo pipefail
checks=() # "cmd:NAME:PACKAGE" or "file:PATH:PACKAGE"
while [ $# -gt 0 ]; do
  if [ "$1" = --package-if-missing ]; then
    [ $# -ge 2 ] || { echo "[test] ERROR: --package-if-missing needs FILE:PACKAGE" >&2; exit 2; }
    checks+=("file:$2"); shift 2
  else
    checks+=("cmd:$1"); shift
  fi
done
is_present() { # kind:what:package → 0 when present
  local kind=${1%%:*} rest=${1#*:}
  local what=${rest%:*}
  if [ "$kind" = file ]; then [ -e "$what" ]; else command -v "$what" >/dev/null 2>&1; fi
}
missing_pkgs=()
for check in "${checks[@]}"; do
  is_present "$check" || missing_pkgs+=("${check##*:}")
done
[ ${#missing_pkgs[@]} -eq 0 ] && exit 0

echo "[test] installing Debian packages: ${missing_pkgs[*]}" >&2
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[test] ERROR: missing ${missing_pkgs[*]} and cannot install them (needs root and apt-get)." >&2
  echo "[test] Install them by hand: apt-get install -y ${missing_pkgs[*]}" >&2
  exit 1
fi
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || { echo "[test] ERROR: apt-get update failed; cannot install ${missing_pkgs[*]}" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >&2 ||
  { echo "[test] ERROR: apt-get install ${missing_pkgs[*]} failed" >&2; exit 1; }
for check in "${checks[@]}"; do
  is_present "$check" || { echo "[test] ERROR: '${check#*:}' still missing after installing" >&2; exit 1; }
done
