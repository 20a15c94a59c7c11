#!/usr/bin/env bash
# Model check of the safety protocol (spec/README.md; `npm run check:model`; the test command
# runs it through test/model-check.test.ts).
# 1. installs spin from Debian when missing (gcc must be on the machine);
# 2. Resolute's model (spec/resolute.pml): exhaustive safety search, expects NO error;
# 3. the naive 2025 stack (spec/naive.pml), once per property (never-empty, never-backwards),
#    breadth-first so the counterexample is the shortest: expects one, and prints it.
# Prints states stored, transitions, depth, memory, time and the verdict of each run; exits
# non-zero if Resolute's model has an error or an incomplete search, or the naive one has none.
# MODEL_OUT=DIR keeps the generated verifiers and trails in DIR (default: a temporary dir).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-debian-packages.sh spin:spin || {
  echo "[model] ERROR: spin is missing and could not be installed (Debian package 'spin')." >&2
  exit 2
}
command -v gcc >/dev/null 2>&1 || { echo "[model] ERROR: gcc is missing: spin's verifiers are C programs." >&2; exit 2; }

if [ -n "${MODEL_OUT:-}" ]; then out=$MODEL_OUT; mkdir -p "$out"; else
  out=$(mktemp -d "${TMPDIR:-/tmp}/resolute-model.XXXXXX"); trap 'rm -rf "$out"' EXIT
fi
cp spec/resolute.pml spec/naive.pml "$out/"
echo "[model] $(spin -V | head -1); gcc $(gcc -dumpversion); work dir $out" >&2

# Runs one verification: NAME MODEL DEFINES CFLAGS PANFLAGS. Sets: errors, complete, summary.
verify() {
  local name=$1 model=$2 defines=$3 cflags=$4 panflags=$5 dir="$out/$1"
  mkdir -p "$dir" && cp "$out"/*.pml "$dir/"
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  (cd "$dir" && spin $defines -a "$model" >spin-a.log 2>&1) || { cat "$dir/spin-a.log" >&2; echo "[model] ERROR: spin -a $model failed" >&2; exit 2; }
  # shellcheck disable=SC2086
  (cd "$dir" && gcc -O2 -w $cflags -o pan pan.c) || { echo "[model] ERROR: gcc could not compile the $name verifier" >&2; exit 2; }
  # shellcheck disable=SC2086
  (cd "$dir" && ./pan $panflags >pan.log 2>&1) || true
  end=$(date +%s.%N)
  local log="$dir/pan.log"
  errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$log" | tail -1)
  local states transitions depth memory elapsed
  states=$(awk '/states, stored/ { print $1; exit }' "$log")
  transitions=$(awk '/transitions \(= stored\+matched\)/ { print $1; exit }' "$log")
  depth=$(sed -n 's/.*depth reached \([0-9]*\).*/\1/p' "$log" | tail -1)
  memory=$(awk '/total actual memory usage/ { print $1; exit }' "$log")
  elapsed=$(sed -n 's/^pan: elapsed time \([0-9.e+]*\) seconds.*/\1/p' "$log" | tail -1)
  complete=1
  if grep -qE 'Search not completed|reached -DMEMLIM bound|max search depth too small|out of memory' "$log"; then complete=0; fi
  if [ -z "$errors" ] || [ -z "$states" ]; then
    echo "[model] ERROR: the $name verifier printed no result; its output:" >&2; cat "$log" >&2; exit 2
  fi
  summary="states=$states transitions=$transitions depth=$depth memory=${memory}MB time=${elapsed}s (wall $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')s)"
}

status=0

# --- Resolute's protocol: exhaustive, no error expected ---------------------------------
# -DSAFETY: safety properties only (assertions in every reachable state, invalid end states);
# the search is exhaustive (no bitstate, no hash compaction); -DMEMLIM bounds its memory.
verify resolute resolute.pml "" "-DSAFETY -DMEMLIM=2048" "-m100000 -w25"
if [ "$errors" = 0 ] && [ "$complete" = 1 ]; then
  verdict="PASS: no error in any reachable state (never-empty, never-backwards)"
else
  verdict="FAIL: errors=$errors complete=$complete"
  status=1
fi
echo "[model] resolute: $summary verdict=$verdict"
if [ "$errors" != 0 ]; then
  echo "[model] Resolute's counterexample:"; (cd "$out/resolute" && spin -t resolute.pml 2>&1 | grep -E 'MSC:|text of failed assertion' | sed -e 's/^ *MSC: /[model]   /' -e 's/^spin: text of failed assertion: /[model]   violated: /')
  grep -E '^pan:' "$out/resolute/pan.log" | sed 's/^/[model]   /'
fi
if [ "$complete" != 1 ]; then grep -E 'Search not completed|MEMLIM|depth too small|memory' "$out/resolute/pan.log" | sed 's/^/[model]   /'; fi

# --- the naive 2025 stack: a counterexample expected for each property -------------------
for property in empty backwards; do
  case $property in
    empty) define=-DONLY_EMPTY label="naive (never-empty)" ;;
    backwards) define=-DONLY_BACKWARDS label="naive (never-backwards)" ;;
  esac
  # -DBFS: breadth-first, so the trail is a shortest counterexample.
  verify "naive-$property" naive.pml "$define" "-DSAFETY -DBFS -DMEMLIM=2048" ""
  trail=$(ls "$out/naive-$property"/*.trail 2>/dev/null | head -1 || true)
  if [ "$errors" -ge 1 ] && [ -n "$trail" ]; then
    verdict="COUNTEREXAMPLE (as expected): $(grep -m1 -oE 'assertion violated' "$out/naive-$property/pan.log" || echo error), trail $(basename "$trail")"
  else
    verdict="FAIL: no counterexample (errors=$errors) — the model cannot tell the naive stack from Resolute's"
    status=1
  fi
  echo "[model] $label: $summary verdict=$verdict"
  if [ -n "$trail" ]; then
    (cd "$out/naive-$property" && spin $define -t naive.pml 2>&1) | grep -E 'MSC:|text of failed assertion' |
      sed -e 's/^ *MSC: /[model]   /' -e 's/^spin: text of failed assertion: /[model]   violated: /'
  fi
done

if [ $status = 0 ]; then
  echo "[model] OK: Resolute's model holds both invariants exhaustively; the naive stack breaks both."
else
  echo "[model] FAILED" >&2
fi
exit $status
