#!/usr/bin/env bash
# imedit's ModifyMessage build + sign (criterion) next to the official Node and Python signers on
# the same request, in one run, with the ratios. From the repository root:
#   bash benches/compare.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tests/vectors/generate/install.sh >/dev/null
cargo bench --quiet --bench sign -- --noplot >/dev/null
node=$(node benches/official/sign_node.mjs)
py=$(tests/vectors/generate/.venv/bin/python benches/official/sign_python.py)
python3 - "$node" "$py" <<'PY'
import json, sys
def crit(group, name):
    with open(f"target/criterion/{group}/{name}/new/estimates.json") as f:
        return json.load(f)["median"]["point_estimate"] / 1000.0
node, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [
    ("imedit ModifyMessage build + sign, cold key", crit("modify_message", "build_sign_cold_key")),
    ("imedit ModifyMessage build + sign, cached key", crit("modify_message", "build_sign_cached_key")),
    ("imedit sign only, cold key", crit("sign", "sign_only_cold_key")),
    ("imedit sign only, cached key", crit("sign", "sign_only_cached_key")),
    ("floor: 31 SHA-256 compressions", crit("floor", "sha256_31_blocks")),
    ("floor: 15 SHA-256 compressions", crit("floor", "sha256_15_blocks")),
    (node["signer"] + " (sign only)", node["us_per_sign"]),
    (py["signer"] + " (sign only)", py["us_per_sign"]),
]
cold, cached = rows[0][1], rows[1][1]
print(f"{'':50} {'µs':>8} {'÷ cold':>8} {'÷ cached':>9}")
for name, us in rows:
    print(f"{name:50} {us:8.3f} {us / cold:8.1f} {us / cached:9.1f}")
PY
