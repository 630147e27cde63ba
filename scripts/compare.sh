#!/usr/bin/env bash
# The main job: set up, build basebench, and run the five-variant comparison of
# basebench.toml, printing the matrix and writing reports under results/<run-id>/.
# Extra arguments go to `basebench run` (e.g. --runs 5, --only slim).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --locked --release
exec ./target/release/basebench run "$@"
