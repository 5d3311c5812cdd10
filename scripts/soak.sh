#!/usr/bin/env bash
# npm run soak: the full soak (10,000 cycles per face, 1,000 dropped while
# connecting). Arguments go to bench/soak.mjs (--cycles N, --drops N).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
bash scripts/build.sh --bench
node bench/soak.mjs "$@"
