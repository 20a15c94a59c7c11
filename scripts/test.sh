#!/usr/bin/env bash
# The test command (README, second set-up command; .ci/run calls it too).
# 1. installs the Debian packages the tests need, when missing;
# 2. builds the TypeScript (npm ci has built it already; this catches edits since);
# 3. runs every test file with node --test, then prints how long each file took.
# Extra arguments are passed to node --test (e.g. a list of files).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/test-packages.sh
install_test_packages

npx tsc -p tsconfig.json

if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find dist -name '*.test.js' -not -path '*/node_modules/*' | sort)
fi
echo "[test] ${#files[@]} test files; node $(node --version)" >&2
exec node --test --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./scripts/file-timing-reporter.mjs --test-reporter-destination=stdout \
  "${files[@]}"
