#!/usr/bin/env bash
# npm run bench:dns — the built-in server against Knot (one worker) and the node:dgram echo
# ceiling, on the 10,000-name benchmark zone, in one run, through ../shared/bench/dns-qps.sh.
# Two runs: plain queries, then queries with EDNS and a DNS COOKIE option as real resolvers send
# them (dnsperf -e -E 10:<8-byte client cookie>). Each server is pinned to CPU 0, dnsperf to CPU 1.
#
# Prints the harness's round lines and summaries (prefixed [plain] / [edns_cookie]), then for
# each run `run=LABEL rss_mb=… knot_rss_mb=… echo_rss_mb=…` (peak RSS while it ran) and
#   ratio_vs_echo=R ratio_per_core_vs_knot=K qps=N
# Environment: BENCH_ROUNDS (default 5), BENCH_DURATION seconds per round (default 10),
# BENCH_NAMES (default 10000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared/bench" && pwd)
rounds=${BENCH_ROUNDS:-5}
duration=${BENCH_DURATION:-10}
names=${BENCH_NAMES:-10000}
port=5400 knot_port=5499 echo_port=5498

bash "$root/scripts/ensure-debian-packages.sh" dnsperf:dnsperf knotd:knot dig:bind9-dnsutils
[ -f "$root/dist/src/cli/main.js" ] || (cd "$root" && npx tsc -p tsconfig.json)

work=$(mktemp -d /tmp/resolute-bench-dns.XXXXXX)
sampler_pid=
cleanup() { [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
bash "$shared/gen-bench-zone.sh" "$work" "$names" 100000

# dnsperf with an EDNS COOKIE option (RFC 7873 client cookie, 8 octets), for the second run.
mkdir -p "$work/cookie-bin"
cat > "$work/cookie-bin/dnsperf" <<SHIM
#!/bin/sh
exec $(command -v dnsperf) -e -E 10:0123456789abcdef "\$@"
SHIM
chmod +x "$work/cookie-bin/dnsperf"

# Peak RSS (kB) of whatever listens on each port, sampled every 0.5 s while the harness runs.
sample_rss() {
  trap - EXIT  # a background copy of this shell must not run the script's cleanup when killed
  while :; do
    for p in $port $knot_port $echo_port; do
      pid=$(ss -lunpH "sport = :$p" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
      [ -n "$pid" ] || continue
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      prev=$(cat "$work/rss-$p" 2>/dev/null || echo 0)
      [ "${rss:-0}" -gt "$prev" ] && echo "$rss" > "$work/rss-$p"
    done
    sleep 0.5
  done
}

run() {  # label path-prefix
  local label=$1 prefix=$2 out
  rm -f "$work"/rss-*
  sample_rss & sampler_pid=$!
  out=$(PATH="$prefix$PATH" bash "$shared/dns-qps.sh" --port $port --knot-port $knot_port --echo-port $echo_port \
    --start "node $root/dist/src/cli/main.js serve --zone-file {ZONE} --port {PORT}" \
    --vs-knot --vs-echo --rounds "$rounds" --duration "$duration" --workdir "$work" --latency-at 20000)
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=
  echo "$out" | sed "s/^/[$label] /"
  local ours_qps echo_ratio knot_ratio rss knot_rss echo_rss
  ours_qps=$(echo "$out" | awk '/^qps=/ {split($1, a, "="); print a[2]}')
  echo_ratio=$(echo "$out" | awk -F'[= ]' '/^ratio_ours_over_echo=/ {print $2}')
  knot_ratio=$(echo "$out" | awk -F'[= ]' '/^ratio_per_core_ours_over_knot=/ {print $2}')
  rss=$(( $(cat "$work/rss-$port" 2>/dev/null || echo 0) / 1024 ))
  knot_rss=$(( $(cat "$work/rss-$knot_port" 2>/dev/null || echo 0) / 1024 ))
  echo_rss=$(( $(cat "$work/rss-$echo_port" 2>/dev/null || echo 0) / 1024 ))
  echo "run=$label rss_mb=$rss knot_rss_mb=$knot_rss echo_rss_mb=$echo_rss"
  echo "ratio_vs_echo=$echo_ratio ratio_per_core_vs_knot=$knot_ratio qps=$ours_qps"
}

run plain ""
run edns_cookie "$work/cookie-bin:"
