#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: set-up, unit and CLI tests, real-daemon
# tests, and the five-variant comparison against the stand-in bases.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --locked --release
./scripts/release-check.sh
cargo nextest run --locked --no-fail-fast
./scripts/compare-check.sh
