#!/usr/bin/env bash
# Builds the Swift package for Apple platforms, on macOS with Xcode (xcodebuild, lipo) and rustup:
#
#   bash bindings/swift/build-xcframework.sh          # IMEditFFI.xcframework + Swift sources
#   bash bindings/swift/build-xcframework.sh --zip    # also IMEditFFI.xcframework.zip + checksum
#
# What it does:
#   1. builds the Rust static library (feature `uniffi`) for macOS (arm64, x86_64), iOS (arm64)
#      and the iOS simulator (arm64, x86_64);
#   2. generates the Swift bindings (IMEdit.swift, IMEditFFI.h, the module map) with the crate's
#      uniffi-bindgen, from the host build;
#   3. merges the per-architecture libraries with lipo and wraps them, with the header and module
#      map, into bindings/swift/IMEditFFI.xcframework (the `binaryTarget` of Package.swift on Apple
#      platforms), and copies IMEdit.swift into Sources/IMEdit/Generated/.
# Then `swift build` / `swift test` in bindings/swift, or add the package to an Xcode project.
#
# To publish, run with --zip and point a `binaryTarget(name: "IMEditFFI", url: ..., checksum: ...)`
# at the uploaded zip, with the checksum this prints (`swift package compute-checksum`).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh: needs macOS with Xcode" >&2; exit 1; }

macos=(aarch64-apple-darwin x86_64-apple-darwin)
ios=(aarch64-apple-ios)
sim=(aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${macos[@]}" "${ios[@]}" "${sim[@]}"
export IPHONEOS_DEPLOYMENT_TARGET=${IPHONEOS_DEPLOYMENT_TARGET:-15.0}
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-12.0}
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
for t in "${macos[@]}" "${ios[@]}" "${sim[@]}"; do
  cargo build --release --features uniffi --lib --target "$t"
done

# Swift sources from the host library (library mode reads the exported metadata).
cargo build --release --features uniffi --lib
build="$here/build"
rm -rf "$build"
mkdir -p "$build/include" "$build/macos" "$build/ios-simulator"
cp "$target_dir/release/libimedit.dylib" "$build/libimedit.dylib"
cargo run --release --features uniffi-cli --bin uniffi-bindgen -- \
  generate "$build/libimedit.dylib" --language swift --out-dir "$build/swift"
cp "$build/swift/IMEditFFI.h" "$build/include/"
cp "$build/swift/IMEditFFI.modulemap" "$build/include/module.modulemap"
mkdir -p "$here/Sources/IMEdit/Generated"
cp "$build/swift/IMEdit.swift" "$here/Sources/IMEdit/Generated/IMEdit.swift"

lipo -create "$target_dir/aarch64-apple-darwin/release/libimedit.a" "$target_dir/x86_64-apple-darwin/release/libimedit.a" \
  -output "$build/macos/libimedit.a"
lipo -create "$target_dir/aarch64-apple-ios-sim/release/libimedit.a" "$target_dir/x86_64-apple-ios/release/libimedit.a" \
  -output "$build/ios-simulator/libimedit.a"

rm -rf "$here/IMEditFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$build/macos/libimedit.a" -headers "$build/include" \
  -library "$target_dir/aarch64-apple-ios/release/libimedit.a" -headers "$build/include" \
  -library "$build/ios-simulator/libimedit.a" -headers "$build/include" \
  -output "$here/IMEditFFI.xcframework"
echo "built $here/IMEditFFI.xcframework"

if [ "${1:-}" = "--zip" ]; then
  (cd "$here" && rm -f IMEditFFI.xcframework.zip && ditto -c -k --sequesterRsrc --keepParent IMEditFFI.xcframework IMEditFFI.xcframework.zip)
  echo "checksum: $(cd "$here" && swift package compute-checksum IMEditFFI.xcframework.zip)"
fi
