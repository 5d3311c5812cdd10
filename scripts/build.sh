#!/usr/bin/env bash
# Builds the npm package into pkg/ (ES modules for pages, --target web).
# wasm-opt comes from the npm package binaryen, so wasm-pack downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
wasm-pack build --release --target web --out-dir pkg "$@"
