#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need, only what is missing, and
# only from the package registries (crates.io, npm, Debian's apt). Never
# downloads a browser or a prebuilt binary from anywhere else.
#
#   bash scripts/setup.sh             Rust target, wasm-pack, node modules
#   bash scripts/setup.sh --browser   also the test browsers: Chromium, Firefox,
#                                     WebKit (Debian packages), geckodriver
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "Rust is missing. Install it with rustup, then run this again."
command -v node >/dev/null || die "Node.js is missing. Install Node 20 or newer, then run this again."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack from crates.io (a few minutes, once)"
  cargo install wasm-pack --locked
fi

# node_modules brings ws (test server), binaryen (wasm-opt) and
# playwright-core (tests). Reinstall when the lock file changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ]; then
  # The three engines the browser tests run in, from Debian's packages:
  # Chromium (+ ChromeDriver), Firefox ESR, and WebKitGTK's MiniBrowser
  # (it comes with WebKitWebDriver) with Xvfb for a display.
  pkgs=""
  command -v chromium >/dev/null || pkgs="$pkgs chromium"
  command -v chromedriver >/dev/null || pkgs="$pkgs chromium-driver"
  command -v firefox-esr >/dev/null || pkgs="$pkgs firefox-esr"
  command -v WebKitWebDriver >/dev/null || pkgs="$pkgs webkit2gtk-driver"
  command -v Xvfb >/dev/null || pkgs="$pkgs xvfb"
  if [ -n "$pkgs" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing Debian packages:$pkgs"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
      say "installing Debian packages with sudo:$pkgs"
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs
    else
      die "the browser tests need Chromium, Firefox and WebKit. On Debian/Ubuntu: sudo apt-get install$pkgs"
    fi
  fi
  # Firefox's WebDriver, for wasm-pack test --firefox: built from crates.io.
  if ! command -v geckodriver >/dev/null; then
    say "installing geckodriver from crates.io (a few minutes, once)"
    cargo install geckodriver --locked
  fi
fi
