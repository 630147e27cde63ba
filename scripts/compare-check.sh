#!/usr/bin/env bash
# CI check of the article reproduction: run the five-variant comparison (stand-in bases
# when no registry answers) and fail unless every corrected variant other than alpine
# works and the alpine row says why it could not be measured. The images go through a
# local registry of the check's own (scripts/registry.sh), so every working variant must
# also have its compressed size and what a code change ships. The reports are removed when
# the check passes and kept (their directory printed) when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/basebench-compare.XXXXXX)
registry_dir=$(mktemp -d /tmp/basebench-compare-registry.XXXXXX)
addr=$(./scripts/registry.sh start "$registry_dir")
trap './scripts/registry.sh stop "$registry_dir"; rm -rf "$registry_dir"' EXIT
status=0
./target/release/basebench run --output "$out" --no-history --runs 2 \
  --registry "$addr/compare-check" || status=$?
if [ ! -f "$out/results.json" ]; then
  echo "compare-check: no results.json written (basebench exited $status)" >&2
  exit 1
fi
check=0
python3 - "$out/results.json" <<'PY' || check=$?
import json, sys
results = json.load(open(sys.argv[1]))
rows = {v["name"]: v for v in results["variants"]}
problems = []
for name in ("bloated", "ubuntu-optimized", "slim", "distroless"):
    row = rows.get(name)
    if row is None:
        problems.append(f"{name}: no row")
    elif not row["works"]:
        problems.append(f"{name}: does not work: {row['failure']}")
    elif (row.get("image") or {}).get("compressed_bytes") is None:
        problems.append(f"{name}: no compressed size from the registry")
    elif row.get("code_change_ship_bytes") is None:
        problems.append(f"{name}: no code-change ship bytes from the registry")
alpine = rows.get("alpine")
if alpine is None:
    problems.append("alpine: no row")
elif alpine["works"] is False and "musl" not in (alpine["failure"] or ""):
    problems.append(f"alpine: failure does not say why: {alpine['failure']!r}")
for name, row in sorted(rows.items()):
    image = row.get("image") or {}
    ship = row.get("code_change_ship") or {}
    print(
        f"compare-check: {name:18} works={row['works']!s:5} size={image.get('size_bytes')} "
        f"compressed={image.get('compressed_bytes')} pull_s={image.get('pull_s')} "
        f"ships={row.get('code_change_ship_bytes')} ship_pull_s={ship.get('pull_s')} "
        f"failure={row['failure']}"
    )
if problems:
    print("compare-check FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print("compare-check: ok")
PY
# Exit status 1 from basebench is expected (alpine cannot be built here); anything else is not.
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "compare-check: basebench exited $status" >&2
  check=1
fi
if [ "$check" -ne 0 ]; then
  echo "compare-check: reports kept in $out" >&2
  exit 1
fi
rm -rf "$out"
