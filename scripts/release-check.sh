#!/usr/bin/env bash
# The release binary has no scripted test engine (the `fake-engine` feature is for tests):
# BASEBENCH_ENGINE=fake must be refused with a message that says so, never run on the fake.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CARGO_TARGET_DIR:-target}/release/basebench
status=0
message=$(BASEBENCH_ENGINE=fake "$bin" clean --run release-check-none 2>&1) || status=$?
if [ "$status" != 3 ] || ! grep -q "without the scripted test engine" <<<"$message"; then
  echo "release-check: BASEBENCH_ENGINE=fake was not refused (exit $status): $message" >&2
  exit 1
fi
echo "release-check: the release binary refuses BASEBENCH_ENGINE=fake"
