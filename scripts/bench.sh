#!/usr/bin/env bash
# npm run bench: build the npm package (for its size), the benchmark build
# (bench/driver: the package plus the Rust-face drivers) and one size probe
# per Rust face, then run bench/run.mjs.
# Arguments go to run.mjs (--rounds N, --smoke, --out DIR, --only W,
# --engine chromium|firefox|webkit; Chromium by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
. scripts/lib-browsers.sh
mkdir -p test-output
bash scripts/build.sh
bash scripts/build.sh --bench
bash scripts/face-sizes.sh
trap stop_browsers EXIT
start_display # WebKit's MiniBrowser needs one
node bench/run.mjs "$@"
