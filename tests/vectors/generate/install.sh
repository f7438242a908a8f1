#!/usr/bin/env bash
# Installs the pinned official Volcengine SDKs into tests/vectors/generate/node_modules and
# tests/vectors/generate/.venv (both git-ignored). Used by regenerate.sh and benches/compare.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ -f package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
else
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
