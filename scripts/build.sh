#!/usr/bin/env bash
# Builds the npm package (the crate with its `js` feature): by default into
# pkg/ as ES modules for pages (--target web); `npm run build:bundler` builds
# pkg-bundler/ for bundlers. The package's features are `js` (the class)
# and `small-allocator` (see src/allocator.rs); other cargo arguments go
# after `--` and replace them.
# `build.sh --bench` builds the benchmark page's module into pkg-bench/: the
# workspace crate bench/driver (the same package plus the Rust-face drivers).
# wasm-opt comes from the npm package binaryen, so wasm-pack downloads nothing.
# Afterwards scripts/short-import-names.mjs gives the module's imports short
# names (−2.1 KB of the gzipped .wasm, −1.5 KB of the glue; see there), and
# scripts/package-entry.mjs adds the JS class (src/js/client.js) and the
# entry module index.js that exports it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ "${1:-}" = --bench ]; then
  # Named like the package's module, so one entry script serves both.
  wasm-pack build bench/driver --release --target web --out-dir ../../pkg-bench --out-name wasm_websocket
  set -- --target web --out-dir pkg-bench
else
  if [ $# -eq 0 ]; then set -- --target web --out-dir pkg; fi
  case " $* " in
    *" -- "*) wasm-pack build --release "$@" ;;
    *) wasm-pack build --release "$@" -- --features js,small-allocator ;;
  esac
fi
out=pkg
target=bundler
while [ $# -gt 0 ]; do
  if [ "$1" = --out-dir ] && [ $# -gt 1 ]; then out=$2; fi
  if [ "$1" = --target ] && [ $# -gt 1 ]; then target=$2; fi
  shift
done
node scripts/short-import-names.mjs "$out"
node scripts/package-entry.mjs "$out" "$target"
