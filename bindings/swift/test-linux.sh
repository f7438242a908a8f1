#!/usr/bin/env bash
# Runs the Swift package's tests on Linux against the Linux shared library.
#
# No Swift compiler comes from the registries of a plain Debian 12 machine, but Debian trixie
# packages Swift 6.0.3 (`swiftlang`). This script keeps a trixie root made with debootstrap
# (about a minute and 3 GB on first use; reused afterwards), copies the package, the generated
# bindings, libimedit.so and the shared vectors into it, and runs `swift test` there with chroot.
# It needs root (debootstrap, mount, chroot); it uses sudo when not run as root.
#
#   bash bindings/swift/test-linux.sh
#
# IMEDIT_SWIFT_ROOT  where the trixie root lives (default /var/cache/imedit/swift-trixie)
# IMEDIT_VECTORS     another vector folder (same layout as tests/vectors)
# CARGO_TARGET_DIR   honoured for the Rust build
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=${IMEDIT_SWIFT_ROOT:-/var/cache/imedit/swift-trixie}
stage=/work/imedit            # the package's folder inside the root
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo

started=$SECONDS
step() { printf '\n==> swift: %s (at %ss)\n' "$*" $((SECONDS - started)); }

# 1. The trixie root with Swift, made once.
if [ -x "$root/usr/libexec/swift/bin/swift" ]; then
  step "reusing the Swift root $root"
else
  step "making the Swift root $root (debootstrap trixie + swiftlang; about a minute, 3 GB)"
  if ! command -v debootstrap >/dev/null; then
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
  fi
  tmp="$root.partial"
  $sudo umount "$tmp/proc" 2>/dev/null || true
  $sudo rm -rf "$tmp"
  $sudo mkdir -p "$(dirname "$root")"
  $sudo debootstrap --variant=minbase trixie "$tmp" >"${TMPDIR:-/tmp}/imedit-debootstrap.log" 2>&1 \
    || { tail -20 "${TMPDIR:-/tmp}/imedit-debootstrap.log" >&2; exit 1; }
  $sudo chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    swiftlang libc6-dev libstdc++-14-dev libgcc-14-dev >/dev/null
  $sudo chroot "$tmp" apt-get clean
  $sudo mv "$tmp" "$root"
fi

# 2. The Rust library and the generated Swift sources.
step "rust library + generated Swift sources"
bash "$here/generate.sh"

# 3. Copy what the tests need into the root (the build cache in .build stays between runs).
step "staging the package in $root$stage"
vectors=${IMEDIT_VECTORS:-$repo/tests/vectors}
$sudo mkdir -p "$root$stage"
$sudo rm -rf "$root$stage/Package.swift" "$root$stage/Sources" "$root$stage/Tests" \
  "$root$stage/lib" "$root$stage/vectors" "$root$stage/e2e" "$root$stage/bin"
$sudo cp -a "$here/Package.swift" "$here/Sources" "$here/Tests" "$root$stage/"
$sudo mkdir -p "$root$stage/lib"
$sudo cp "$here/lib/libimedit.so" "$root$stage/lib/"
# The vectors without generate/ (the generators' node_modules and venv are not needed).
$sudo mkdir -p "$root$stage/vectors"
tar -C "$vectors" --exclude=./generate -cf - . | $sudo tar -C "$root$stage/vectors" -xf -
# The end-to-end scenario and the emulator binary (IMEDIT_BIN, or built from cli/).
scenario=${IMEDIT_E2E_SCENARIO:-$repo/tests/e2e/scenario.json}
e2e_env=()
if [ -f "$scenario" ] && { [ -n "${IMEDIT_BIN:-}" ] || [ -d "$repo/cli" ]; }; then
  bin=${IMEDIT_BIN:-}
  if [ -z "$bin" ]; then
    step "emulator binary (cargo build -p imedit-cli)"
    (cd "$repo" && cargo build --quiet -p imedit-cli)
    target_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    bin=$target_dir/debug/imedit
  fi
  $sudo mkdir -p "$root$stage/bin" "$root$stage/e2e"
  $sudo cp "$bin" "$root$stage/bin/imedit"
  $sudo cp -a "$(dirname "$scenario")/." "$root$stage/e2e/"
  e2e_env=(IMEDIT_BIN="$stage/bin/imedit" IMEDIT_E2E_SCENARIO="$stage/e2e/$(basename "$scenario")")
else
  echo "swift: no emulator (cli/ or IMEDIT_BIN) or no scenario: the e2e test is skipped"
fi

# 4. swift test, with /proc mounted for the compiler.
step "swift test (XCTest) in the trixie root"
mounted=
cleanup() { [ -z "$mounted" ] || $sudo umount "$root/proc" 2>/dev/null || true; }
trap cleanup EXIT
if ! mountpoint -q "$root/proc"; then
  $sudo mount --bind /proc "$root/proc"
  mounted=1
fi
$sudo chroot "$root" env -i PATH=/usr/libexec/swift/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
  IMEDIT_VECTORS="$stage/vectors" "${e2e_env[@]}" \
  LD_LIBRARY_PATH="$stage/lib" \
  bash -c "cd $stage && swift test -Xlinker -L$stage/lib -Xlinker -rpath -Xlinker $stage/lib"
