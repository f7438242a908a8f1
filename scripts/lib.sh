# Shared helpers for scripts/test and scripts/demo. Source it; do not run it.

# step NAME COMMAND...: runs COMMAND, prints how long it took, stops the run on failure.
step() {
  local name=$1; shift
  local start=$SECONDS
  printf '\n==> %s\n' "$name"
  if ! "$@"; then
    printf '\n!! step failed: %s (after %ss)\n' "$name" $((SECONDS - start)) >&2
    exit 1
  fi
  printf '<== %s: %ss\n' "$name" $((SECONDS - start))
}

# The Rust pieces the base image may lack: rustfmt, clippy, the wasm32 standard library.
ensure_rust() {
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
}
