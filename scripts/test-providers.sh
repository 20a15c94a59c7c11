#!/usr/bin/env bash
# `npm run test:providers` (issue 7): the provider suite alone, against the real servers, with
# NO test skipped.
# 1. installs the Debian packages when missing (scripts/test-packages.sh, shared with test.sh):
#    BIND 9, Knot DNS, PowerDNS with SQLite, NSD — so no test has a server to miss;
# 2. builds the TypeScript;
# 3. runs the provider tests: every provider's contract and own tests (src/providers/), the
#    `providers:` config, zone transfers and NOTIFY to NSD/Knot/BIND secondaries, and the 2025
#    sequence and ownership with real processes on each RFC 2136 server;
# 4. fails if any test was skipped or left as todo, whatever its reason.
# It takes no arguments: a name pattern would skip tests (run one file with node --test instead).
set -euo pipefail
[ $# -eq 0 ] || { echo "[test:providers] takes no arguments" >&2; exit 2; }
cd "$(dirname "$0")/.."
source scripts/test-packages.sh
install_test_packages

npx tsc -p tsconfig.json

mapfile -t files < <(
  { find dist/src/providers -name '*.test.js'
    find dist/src/dns/xfr -name '*.test.js'
    echo dist/src/config/providers-config.test.js
    echo dist/test/interop/xfr-secondaries.test.js
    echo dist/test/e2e/enactor-2025-rfc2136.test.js
  } | sort
)
counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
echo "[test:providers] ${#files[@]} test files; node $(node --version)" >&2
status=0
node --test --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$counts" \
  "${files[@]}" || status=$?
# The TAP summary's last lines: "# skipped N", "# todo N".
skipped=$(awk '/^# skipped /{n=$3} END{print n+0}' "$counts")
todo=$(awk '/^# todo /{n=$3} END{print n+0}' "$counts")
if [ "$skipped" != 0 ] || [ "$todo" != 0 ]; then
  echo "[test:providers] FAIL: $skipped test(s) skipped and $todo todo; this suite runs every test against the real servers" >&2
  grep -E '# (SKIP|TODO)' "$counts" >&2 || true
  exit 1
fi
exit "$status"
