#!/usr/bin/env bash
# npm test: every test, in order, stopping at the first failing group.
#   1. native `cargo test` (pure logic, doc examples)
#   2. browser tests: `wasm-pack test --headless --chrome` against the echo
#      server, which this script starts and stops by its PID
#   3. Node tests (node:test): the test server, then the npm package in
#      Chromium through playwright-core (demo page, JS class rules,
#      TypeScript declarations, packed tarball bundled by Vite)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
. scripts/lib-server.sh

PORT="${WS_TEST_PORT:-8765}"
export WS_ECHO_URL="ws://127.0.0.1:$PORT"
mkdir -p test-output

echo "== 1/3 native tests (cargo test)"
cargo test --features js

echo "== 2/3 browser tests (wasm-pack test --headless --chrome, server on $PORT)"
start_server "$PORT" test-output/server.log
echo "-- in a page"
wasm-pack test --headless --chrome
echo "-- in a dedicated Web Worker (no window)"
# Its own target folder, so the two builds do not invalidate each other.
CARGO_TARGET_DIR=target/worker RUSTFLAGS="--cfg wasm_ws_worker" \
  wasm-pack test --headless --chrome --test construct --test echo --test close \
  --test listeners --test connection --test reconnect --test catalogue
stop_server

echo "== 3/3 node and Playwright tests (node --test)"
bash scripts/build.sh
bash scripts/build.sh --target web --out-dir pkg-bench -- --features bench,small-allocator
node --test --test-timeout=120000 tests/node/ tests/e2e/
