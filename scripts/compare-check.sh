#!/usr/bin/env bash
# CI check of the article reproduction: run the five-variant comparison (stand-in bases
# when no registry answers) and fail unless every corrected variant other than alpine
# works and the alpine row says why it could not be measured.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/basebench-compare.XXXXXX)
status=0
./target/release/basebench run --output "$out" --no-history --runs 2 || status=$?
if [ ! -f "$out/results.json" ]; then
  echo "compare-check: no results.json written (basebench exited $status)" >&2
  exit 1
fi
python3 - "$out/results.json" <<'PY'
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
alpine = rows.get("alpine")
if alpine is None:
    problems.append("alpine: no row")
elif alpine["works"] is False and "musl" not in (alpine["failure"] or ""):
    problems.append(f"alpine: failure does not say why: {alpine['failure']!r}")
for name, row in sorted(rows.items()):
    size = (row.get("image") or {}).get("size_bytes")
    print(f"compare-check: {name:18} works={row['works']!s:5} size={size} failure={row['failure']}")
if problems:
    print("compare-check FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print("compare-check: ok")
PY
# Exit status 1 from basebench is expected (alpine cannot be built here); anything else is not.
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "compare-check: basebench exited $status" >&2
  exit 1
fi
