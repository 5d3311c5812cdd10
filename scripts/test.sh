#!/usr/bin/env bash
# npm test: every test, in order, stopping at the first failing group.
#   1. native `cargo test` (pure logic, doc examples); the size probes build
#   2. browser tests (wasm-bindgen-test) in Chromium, Firefox and WebKit,
#      each in a page and in a dedicated worker, against the echo server,
#      which this script starts and stops by its PID
#   3. Node tests (node:test): the test server and its chat rooms, then the
#      npm package in the three engines (JS class rules, demo page), the
#      demo's chat with two pages, the TypeScript declarations, the packed
#      tarball bundled by Vite, bench and soak
# WS_ENGINES=chromium,firefox,webkit (the default) picks the engines.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
. scripts/lib-server.sh
. scripts/lib-browsers.sh

PORT="${WS_TEST_PORT:-8765}"
export WS_ECHO_URL="ws://127.0.0.1:$PORT"
export WS_ENGINES="${WS_ENGINES:-chromium,firefox,webkit}"
mkdir -p test-output

echo "== 1/3 native tests (cargo test)"
cargo test --features js,delivery
# The size probes are built only by npm run bench: check that they compile.
cargo build --quiet --target wasm32-unknown-unknown -p wasm-websocket-sizes --examples

start_server "$PORT" test-output/server.log
trap 'stop_server; stop_browsers' EXIT
start_display
case ",$WS_ENGINES," in *,webkit,*) start_webkit_driver ;; esac

# wasm-pack drives Chromium with chromedriver and Firefox with geckodriver.
# WebKit: wasm-bindgen-test-runner speaks W3C WebDriver on its Firefox
# path, so it is pointed at WebKitWebDriver (GECKODRIVER_REMOTE) with the
# MiniBrowser capabilities; tests/construct.rs checks the engine it got.
wasm_tests() {
  local engine="$1"
  shift
  case "$engine" in
    chromium) WS_TEST_ENGINE=chromium wasm-pack test --headless --chrome "$@" ;;
    firefox) WS_TEST_ENGINE=firefox wasm-pack test --headless --firefox "$@" ;;
    webkit)
      WS_TEST_ENGINE=webkit GECKODRIVER_REMOTE="$WEBKIT_DRIVER_URL" \
        WASM_BINDGEN_TEST_WEBDRIVER_JSON="$WEBKIT_CAPABILITIES" \
        wasm-pack test --headless --firefox "$@"
      ;;
  esac
}

IFS=, read -ra engines <<<"$WS_ENGINES"
for engine in "${engines[@]}"; do
  echo "== 2/3 browser tests in $engine (wasm-pack test, server on $PORT)"
  echo "-- $engine, in a page"
  wasm_tests "$engine" --features delivery
  echo "-- $engine, in a dedicated Web Worker (no window)"
  # Its own target folder, so the two builds do not invalidate each other.
  CARGO_TARGET_DIR=target/worker RUSTFLAGS="--cfg wasm_ws_worker" \
    wasm_tests "$engine" --test construct --test echo --test close \
    --test listeners --test connection --test reconnect --test catalogue \
    --test delivery --features delivery
done
stop_server

echo "== 3/3 node and browser tests of the npm package (node --test; engines: $WS_ENGINES)"
bash scripts/build.sh
bash scripts/build.sh --bench
node --test --test-timeout=180000 tests/node/ tests/e2e/
