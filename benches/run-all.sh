#!/usr/bin/env bash
# The performance page's tables (docs/PERFORMANCE.md), from one run of every benchmark on
# this machine, each figure a ratio against its peer measured in the same run:
#
#   1. basebench's builds vs `docker build` (benches/build_overhead/: same daemon, BuildKit,
#      alternating rounds): contexts of 1 MB, 200 MB and 1 GB (data the Dockerfile never
#      copies) and 50,000 small files (copied); cold, cached, after a one-file change.
#   2. `basebench inspect IMAGE` vs `docker save IMAGE > /dev/null` on an image of >= 1 GB
#      (benches/anatomy.sh), peak RSS of both.
#   3. basebench's own CPU over a whole `basebench run` as a share of its wall time
#      (benches/run_overhead.sh).
#   4. basebench's push and pull vs `docker push` / `docker pull` of the same 64 MB image
#      through a local registry (benches/registry_overhead.rs, alternating rounds).
#
# Usage:  benches/run-all.sh [--quick] [--out FILE]
#   --quick   fewer rounds (6 build rounds instead of 10, 6 anatomy rounds, 1 whole run
#             instead of 3) and a 10,000-file context in place of 50,000; for a shared
#             machine. The page says which mode made it.
#   --out     where the Markdown goes (default: stdout); the raw logs go beside it
#             (FILE.log) or to the temp directory printed at the start.
# Builds the release binary and the build benchmark first (not timed), copies the binary
# to a temp directory (a shared CARGO_TARGET_DIR cannot swap it mid-run), honours
# CARGO_TARGET_DIR. Needs dockerd, gcc, python3, /usr/bin/time.
# Every image and build-cache record the benchmarks make is removed by id or run label.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
OUT=/dev/stdout
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --out) OUT=$2; shift ;;
    *) echo "usage: benches/run-all.sh [--quick] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  BUILD_ROUNDS=6 ANATOMY_RUNS=6 WHOLE_RUNS=1 SMALL=10k MODE="quick (--quick)"
else
  BUILD_ROUNDS=10 ANATOMY_RUNS=10 WHOLE_RUNS=3 SMALL=50k MODE="full"
fi
WORK=$(mktemp -d /tmp/basebench-run-all.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/log
[ "$OUT" = /dev/stdout ] || LOG=$OUT.log
: >"$LOG"
echo "run-all: logs in $LOG" >&2

cd "$ROOT"
echo "== building (not timed)" >&2
cargo build --locked --release >>"$LOG" 2>&1
cargo bench --locked --bench build_overhead --no-run >>"$LOG" 2>&1
cargo bench --locked --bench registry_overhead --no-run >>"$LOG" 2>&1
cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/basebench" "$WORK/basebench"
export BASEBENCH=$WORK/basebench

UPTIME_BEFORE=$(uptime)
STARTED=$(date -u +%s)

echo "== 1. builds against docker build" >&2
# context  --copy
BUILDS="1mb all
200mb app
1gb app
$SMALL all"
while read -r context copy; do
  echo "   $context ($copy)" >&2
  cargo bench --locked --bench build_overhead -- --context "$context" --copy "$copy" \
    --rounds "$BUILD_ROUNDS" >>"$WORK/builds.md" 2>>"$LOG"
done <<<"$BUILDS"

echo "== 2. anatomy against docker save" >&2
RESULTS=$WORK/anatomy.txt benches/anatomy.sh "$ANATOMY_RUNS" >>"$LOG" 2>&1

echo "== 3. basebench's own CPU over whole runs" >&2
for _ in $(seq "$WHOLE_RUNS"); do
  benches/run_overhead.sh >>"$WORK/overhead.txt" 2>>"$LOG"
done

echo "== 4. push and pull against docker push / docker pull" >&2
cargo bench --locked --bench registry_overhead -- --rounds "$BUILD_ROUNDS" \
  >>"$WORK/registry.md" 2>>"$LOG"

ENDED=$(date -u +%s)
UPTIME_AFTER=$(uptime)

python3 - "$WORK" "$MODE" "$BUILD_ROUNDS" "$ANATOMY_RUNS" "$WHOLE_RUNS" \
  "$UPTIME_BEFORE" "$UPTIME_AFTER" "$((ENDED - STARTED))" "$BASEBENCH" >"$OUT" \
  <"$ROOT/benches/run_all_table.py"
echo "run-all: done in $((ENDED - STARTED)) s" >&2
