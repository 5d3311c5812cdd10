#!/usr/bin/env bash
# What each face costs: builds one small probe module per face
# (bench/sizes/examples/size_*.rs) the way wasm-pack builds the npm package
# (release, wasm-bindgen, wasm-opt -Oz) and writes their sizes, raw and
# gzipped, to bench/face-sizes.json. The npm package itself is the JS face.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The wasm-bindgen CLI that wasm-pack installed for this lock file.
version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
bindgen=$(ls -d "$HOME"/.cache/.wasm-pack/wasm-bindgen-*/wasm-bindgen 2>/dev/null | while read -r b; do
  "$b" --version | grep -q " $version" && echo "$b"; done | head -n 1)
if [ -z "$bindgen" ]; then
  echo "wasm-bindgen $version not found in wasm-pack's cache; run npm run build first" >&2
  exit 1
fi
out=target/face-sizes
mkdir -p "$out"
echo "{" > bench/face-sizes.json
first=1
for face in callback async reconnect; do
  cargo build --quiet --release --target wasm32-unknown-unknown -p wasm-websocket-sizes --example "size_$face"
  "$bindgen" --target web --out-dir "$out/$face" "target/wasm32-unknown-unknown/release/examples/size_$face.wasm"
  wasm-opt -Oz --strip-producers --strip-target-features "$out/$face/size_${face}_bg.wasm" -o "$out/$face/opt.wasm"
  raw=$(stat -c %s "$out/$face/opt.wasm")
  gz=$(gzip -9 -c "$out/$face/opt.wasm" | wc -c)
  glue=$(gzip -9 -c "$out/$face/size_$face.js" | wc -c)
  [ $first = 1 ] || echo "," >> bench/face-sizes.json
  first=0
  printf '  "%s": { "wasm": %s, "wasmGzip": %s, "glueGzip": %s }' "$face" "$raw" "$gz" "$glue" >> bench/face-sizes.json
done
printf '\n}\n' >> bench/face-sizes.json
cat bench/face-sizes.json
