#!/usr/bin/env bash
# Builds the npm package: by default into pkg/ as ES modules for pages
# (--target web); `npm run build:bundler` builds pkg-bundler/ for bundlers.
# The package holds three wasm modules built from the crate:
#   wasm_websocket_plain     features `js-plain`: what plain clients and
#                            plain streams call (init() loads it)
#   wasm_websocket           features `js`: that and the reconnecting core
#                            (init({ reconnect: true }) loads it)
#   wasm_websocket_delivery  features `js,delivery`: that and end-to-end
#                            delivery (init({ delivery: true }) loads it)
# each with `small-allocator` (see src/allocator.rs).
# `build.sh --bench` builds the benchmark page's module into pkg-bench/: the
# workspace crate bench/driver (the full package plus the Rust-face
# drivers), one module.
# wasm-opt comes from the npm package binaryen, so wasm-pack downloads nothing.
# Afterwards scripts/short-import-names.mjs gives each module's imports short
# names (−2.1 KB of the gzipped .wasm, −1.5 KB of the glue; see there), and
# scripts/package-entry.mjs adds the JS classes (src/js/*.js) and the
# entry module index.js that exports them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ "${1:-}" = --bench ]; then
  # Named like the package's full module, so one entry script serves both.
  rm -rf pkg-bench
  wasm-pack build bench/driver --release --target web --out-dir ../../pkg-bench --out-name wasm_websocket
  node scripts/short-import-names.mjs pkg-bench
  node scripts/package-entry.mjs pkg-bench web --single
  exit 0
fi
out=pkg
target=web
while [ $# -gt 0 ]; do
  case "$1" in
    --out-dir) out=$2; shift ;;
    --target) target=$2; shift ;;
    *) echo "build.sh: unknown argument $1 (takes --target and --out-dir)" >&2; exit 2 ;;
  esac
  shift
done
rm -rf "$out"
# Both modules without the panic hook (default feature `panic-hook`, about
# 1.1 KB gzipped): they run only our code (a JS listener, provider or
# shouldReconnect that throws is caught, never a panic), so a panic would
# be a bug of ours, reported as `unreachable`. Rust users keep the hook.
wasm-pack build --release --target "$target" --out-dir "$out" -- --no-default-features --features js,small-allocator
node scripts/short-import-names.mjs "$out"
# The plain and delivery modules, built aside (wasm-pack rewrites its out
# dir's package.json), then moved next to the full one.
build_aside() { # <out name> <features>
  local aside="target/$1-$target"
  rm -rf "$aside"
  wasm-pack build --release --target "$target" --out-dir "$aside" --out-name "$1" -- --no-default-features --features "$2"
  node scripts/short-import-names.mjs "$aside"
  for file in "$aside/$1"*; do mv "$file" "$out/"; done
}
build_aside wasm_websocket_plain js-plain,small-allocator
build_aside wasm_websocket_delivery js,delivery,small-allocator
node scripts/package-entry.mjs "$out" "$target"
