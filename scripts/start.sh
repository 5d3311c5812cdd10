#!/usr/bin/env bash
# npm start: install what is missing, build the package, serve the demo and
# the echo server at http://localhost:8080/ (PORT to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
export PORT="${PORT:-8080}"
echo "Demo: http://localhost:$PORT/   (Ctrl-C stops the server)"
exec node server/server.js
