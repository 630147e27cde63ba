#!/usr/bin/env bash
# Benchmark: basebench's own CPU time and peak memory during a full run of the test
# variants (the static test app from tests/fixtures/testapp: a working one, a slow one,
# a broken build and one that exits at start; 3 startup runs each, anatomy included).
# Docker's own work (builds, containers) is not in these figures: only the basebench
# process is measured, with /usr/bin/time.
#
#     cargo build --release && benches/run_overhead.sh
#
# BASEBENCH=path/to/basebench names the binary (default: the release build, under
# CARGO_TARGET_DIR when that is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BASEBENCH:-${CARGO_TARGET_DIR:-target}/release/basebench}
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }
work=$(mktemp -d /tmp/basebench-overhead.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -static -O2 -pthread -o "$work/testapp" tests/fixtures/testapp/testapp.c
variant() {
  printf 'FROM scratch\nCOPY testapp /testapp\n%s\nCMD ["/testapp"]\n' "$2" > "$work/Dockerfile.$1"
  echo "--variant $1=$work/Dockerfile.$1"
}
args="$(variant good 'ENV TESTAPP_ALLOC_MB=8') $(variant slow 'ENV TESTAPP_DELAY_MS=1500') \
  $(variant broken 'COPY does-not-exist /x') $(variant exits 'ENV TESTAPP_EXIT_CODE=3')"
# shellcheck disable=SC2086
/usr/bin/time -v "$bin" run --context "$work" $args --port 8080 --health /health --runs 3 \
  --output "$work/out" --no-history --allow-failures -q > /dev/null 2> "$work/time.txt" || true
grep -E "Elapsed|User time|System time|Maximum resident" "$work/time.txt"
awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Elapsed/ {e=$2}
  END {printf "basebench CPU (user+sys): %.2f s over a wall time of %s\n", u+s, e}' "$work/time.txt"
