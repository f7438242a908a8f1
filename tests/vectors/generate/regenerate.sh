#!/usr/bin/env bash
# Regenerate the Volcengine signing vectors by executing the official SDKs.
#   bash tests/vectors/generate/regenerate.sh
# Installs the pinned packages into tests/vectors/generate/node_modules and
# tests/vectors/generate/.venv (both git-ignored), writes
#   tests/vectors/volcengine/sign/{node,python}-*.json
#   tests/vectors/volcengine/modify_message/*.json   (success cases)
# and checks that every vector is reproducible under the library's rules.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

bash ./install.sh

node gen_node.mjs "$here/.."
.venv/bin/python gen_python.py "$here/.."
.venv/bin/python check_vectors.py "$here/.."
