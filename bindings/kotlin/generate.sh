#!/usr/bin/env bash
# Builds the Rust library with its UniFFI exports, generates the Kotlin sources from it, and puts
# the library where JNA finds it in the jar. Maven runs this in generate-sources; by hand:
#   bash bindings/kotlin/generate.sh <kotlin-out-dir> <resources-out-dir>
# Honours CARGO_TARGET_DIR. The library lands in <resources-out-dir>/<jna-prefix>/, for example
# linux-x86-64/libimedit.so or darwin-aarch64/libimedit.dylib.
set -euo pipefail
kotlin_out=${1:?kotlin output folder}
native_out=${2:?native resources folder}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) prefix=linux-x86-64 lib=libimedit.so ;;
  Linux-aarch64) prefix=linux-aarch64 lib=libimedit.so ;;
  Darwin-arm64) prefix=darwin-aarch64 lib=libimedit.dylib ;;
  Darwin-x86_64) prefix=darwin-x86-64 lib=libimedit.dylib ;;
  *) echo "generate.sh: no JNA resource prefix known for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
cargo build --quiet --release --features uniffi --lib
# Keep the library that was just built: building the bindgen binary may relink it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$target_dir/release/$lib" "$tmp/$lib"
rm -rf "$kotlin_out"
cargo run --quiet --release --features uniffi-cli --bin uniffi-bindgen -- \
  generate "$tmp/$lib" --language kotlin --no-format --out-dir "$kotlin_out"
mkdir -p "$native_out/$prefix"
cp "$tmp/$lib" "$native_out/$prefix/$lib"
echo "imedit: Kotlin sources in $kotlin_out, $prefix/$lib in $native_out"
