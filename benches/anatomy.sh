#!/usr/bin/env bash
# Image anatomy benchmark (issue 4): on an image of at least 1 GB, compare the wall time of
# `basebench inspect IMAGE` (export through the Engine API + streaming analysis) with
# `docker save IMAGE > /dev/null`, and report peak resident memory of both.
# Goal: inspect wall time <= 1.25 x export, peak RSS <= 100 MB.
#
# Usage:  cargo build --release && benches/anatomy.sh [RUNS]
#   BASEBENCH=path/to/basebench  binary to measure (default target/release/basebench)
#   SIZE_MB=370                  size of each of the 3 kept layers (incompressible)
#   JUNK_MB=100                  size of the layer a later RUN deletes
#   RESULTS=FILE                 also write the raw rounds there ("label wall_s max_rss_kb
#                                cpu_s" lines, then "image_bytes N"; benches/run-all.sh)
# Needs: dockerd, gcc (static rm helper), /usr/bin/time (apt-get install -y time).
# The image is labelled basebench=true, basebench.run=bench-<id>, and removed at the end.
set -euo pipefail

RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BASEBENCH:-${CARGO_TARGET_DIR:-$ROOT/target}/release/basebench}
SIZE_MB=${SIZE_MB:-370}
JUNK_MB=${JUNK_MB:-100}
RUN_ID="bench-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TAG="basebench-bench/anatomy:$RUN_ID"

[ -x /usr/bin/time ] || { echo "missing /usr/bin/time: apt-get install -y time" >&2; exit 2; }
"$BIN" inspect --help >/dev/null 2>&1 || {
  echo "'$BIN inspect' does not run: build it (cargo build --release) or set BASEBENCH" >&2
  exit 2
}

WORK=$(mktemp -d /tmp/basebench-anatomy-bench.XXXXXX)
cleanup() {
  docker image rm -f "$TAG" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building $TAG (3 x ${SIZE_MB} MB kept, ${JUNK_MB} MB deleted later)"
gcc -static -O2 -o "$WORK/rmtool" "$ROOT/tests/fixtures/anatomy/rmtool.c"
for i in 1 2 3; do head -c "${SIZE_MB}M" /dev/urandom >"$WORK/part$i.bin"; done
head -c "${JUNK_MB}M" /dev/urandom >"$WORK/junk.bin"
cat >"$WORK/Dockerfile" <<'EOF'
FROM scratch
COPY rmtool /rmtool
COPY part1.bin /data/part1.bin
COPY part2.bin /data/part2.bin
COPY junk.bin /data/junk.bin
COPY part3.bin /data/part3.bin
RUN ["/rmtool", "/data/junk.bin"]
EOF
DOCKER_BUILDKIT=0 docker build -q -t "$TAG" --label basebench=true \
  --label "basebench.run=$RUN_ID" "$WORK" >/dev/null
rm -f "$WORK"/part*.bin "$WORK/junk.bin"
docker image inspect -f 'image size: {{.Size}} bytes, layers: {{len .RootFS.Layers}}' "$TAG"
IMAGE_BYTES=$(docker image inspect -f '{{.Size}}' "$TAG")

# measure LABEL COMMAND...: prints "wall_s max_rss_kb cpu_s" (cpu = user + system)
measure() {
  local label=$1
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" "$@"
  read -r wall rss user sys <"$WORK/time"
  echo "$label $wall $rss $(awk "BEGIN {print $user + $sys}")" | tee -a "$WORK/results"
}

echo "== warm-up (page cache)"
docker save "$TAG" >/dev/null
echo "== $RUNS runs each, alternating (label wall_s max_rss_kb cpu_s)"
for _ in $(seq "$RUNS"); do
  measure export sh -c "docker save '$TAG' >/dev/null"
  measure inspect sh -c "'$BIN' inspect '$TAG' --format json --no-scan >'$WORK/anatomy.json'"
  measure pipe sh -c "docker save '$TAG' | '$BIN' inspect --archive /dev/stdin --format json --no-scan >/dev/null"
done

median() { grep "^$1 " "$WORK/results" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
median_cpu() { grep "^$1 " "$WORK/results" | awk '{print $4}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max_rss() { grep "^$1 " "$WORK/results" | awk '{print $3}' | sort -n | tail -1; }
EXPORT=$(median export)
INSPECT=$(median inspect)
PIPE=$(median pipe)
echo "== summary"
echo "export (docker save > /dev/null): median ${EXPORT}s"
echo "basebench inspect IMAGE:          median ${INSPECT}s, ratio $(awk "BEGIN {printf \"%.2f\", $INSPECT / $EXPORT}"), peak RSS $(( $(max_rss inspect) / 1024 )) MB, CPU $(median_cpu inspect)s"
echo "docker save | inspect --archive:  median ${PIPE}s, ratio $(awk "BEGIN {printf \"%.2f\", $PIPE / $EXPORT}"), peak RSS of the pipeline's largest process $(( $(max_rss pipe) / 1024 )) MB"
grep -o '"wasted_bytes": [0-9]*\|"content_bytes": [0-9]*' "$WORK/anatomy.json" | tr '\n' ' '
echo
if [ -n "${RESULTS:-}" ]; then
  cp "$WORK/results" "$RESULTS"
  echo "image_bytes $IMAGE_BYTES" >>"$RESULTS"
fi
