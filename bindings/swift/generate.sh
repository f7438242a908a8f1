#!/usr/bin/env bash
# Builds the Rust library with its UniFFI exports and generates the Swift sources into the package:
#   Sources/IMEdit/Generated/IMEdit.swift, Sources/IMEditFFI/IMEditFFI.h, lib/libimedit.{so,dylib}
#   bash bindings/swift/generate.sh
# Honours CARGO_TARGET_DIR.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../.."

case "$(uname -s)" in
  Darwin) lib=libimedit.dylib ;;
  *) lib=libimedit.so ;;
esac
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
cargo build --quiet --release --features uniffi --lib
# Keep the library that was just built: building the bindgen binary may relink it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$target_dir/release/$lib" "$tmp/$lib"
cargo run --quiet --release --features uniffi-cli --bin uniffi-bindgen -- \
  generate "$tmp/$lib" --language swift --no-format --out-dir "$tmp/swift"
mkdir -p "$here/Sources/IMEdit/Generated" "$here/lib"
cp "$tmp/swift/IMEdit.swift" "$here/Sources/IMEdit/Generated/IMEdit.swift"
cp "$tmp/swift/IMEditFFI.h" "$here/Sources/IMEditFFI/IMEditFFI.h"
cp "$tmp/$lib" "$here/lib/$lib"
echo "imedit: Swift sources in $here/Sources, $lib in $here/lib"
