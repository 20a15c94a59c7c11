#!/usr/bin/env bash
# Installs the Debian packages the tests need when their commands are missing.
# Usage: ensure-debian-packages.sh COMMAND:PACKAGE ...
# apt-get update runs once, and only when something is missing. A policy-rc.d forbids the
# packages from starting their own services (Knot, BIND, NSD would take port 53); the tests
# start every server themselves on loopback high ports and stop it by PID.
set -euo pipefail
missing_pkgs=()
for pair in "$@"; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing_pkgs+=("$pkg")
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
for pair in "$@"; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || { echo "[test] ERROR: '$cmd' still missing after installing $pkg" >&2; exit 1; }
done
