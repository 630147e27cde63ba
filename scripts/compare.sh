#!/usr/bin/env bash
# The main job: set up, build basebench, and run the five-variant comparison of
# basebench.toml, printing the matrix and writing reports under results/<run-id>/.
# Extra arguments go to `basebench run` (e.g. --runs 5, --only slim).
#
# Unless the arguments name a registry (--registry) or BASEBENCH_NO_REGISTRY=1 is set, it
# starts the local registry (scripts/registry.sh, storage under results/registry) for the
# run, so the matrix shows compressed sizes, pull times and what a code change ships, and
# stops it afterwards (the pushed blobs stay in results/registry/storage; delete that
# directory to free them).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --locked --release
args=("$@")
if [ "${BASEBENCH_NO_REGISTRY:-0}" != 1 ] && ! printf '%s\n' "$@" | grep -q -- '^--registry'; then
  addr=$(./scripts/registry.sh start)
  trap './scripts/registry.sh stop' EXIT
  args=(--registry "$addr/basebench" "${args[@]}")
fi
status=0
./target/release/basebench run "${args[@]}" || status=$?
exit "$status"
