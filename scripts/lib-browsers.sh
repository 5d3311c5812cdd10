# Sourced by scripts/test.sh and scripts/bench.sh: what the browser tests
# need besides the echo server, started here and stopped by the PIDs
# recorded here.
#   start_display          an Xvfb display for WebKit (MiniBrowser needs one)
#   start_webkit_driver    WebKitWebDriver on a free port; sets
#                          WEBKIT_DRIVER_URL and WEBKIT_CAPABILITIES (a file)
#   stop_browsers          stops both
XVFB_PID=""
WEBKIT_DRIVER_PID=""

# The MiniBrowser that Debian's libwebkit2gtk-4.1-0 ships.
minibrowser_path() {
  dpkg -L libwebkit2gtk-4.1-0 2>/dev/null | grep '/MiniBrowser$' | head -n1
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start_display() {
  if [ -n "${DISPLAY:-}" ]; then
    return 0 # a display is already there (a desktop, or started before)
  fi
  local n
  for n in $(seq 90 120); do
    [ -e "/tmp/.X$n-lock" ] && continue
    Xvfb ":$n" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
    XVFB_PID=$!
    sleep 0.5
    if kill -0 "$XVFB_PID" 2>/dev/null; then
      export DISPLAY=":$n"
      return 0
    fi
  done
  echo "could not start Xvfb" >&2
  return 1
}

start_webkit_driver() {
  local port binary
  binary="$(minibrowser_path)"
  if [ -z "$binary" ]; then
    echo "MiniBrowser not found: install the Debian package webkit2gtk-driver (npm test does it as root)" >&2
    return 1
  fi
  port="$(free_port)"
  WebKitWebDriver --port="$port" >test-output/webkit-driver.log 2>&1 &
  WEBKIT_DRIVER_PID=$!
  export WEBKIT_DRIVER_URL="http://127.0.0.1:$port"
  export WEBKIT_CAPABILITIES="$PWD/test-output/webkit-capabilities.json"
  printf '{ "browserName": "MiniBrowser", "webkitgtk:browserOptions": { "binary": "%s", "args": ["--automation"] } }\n' \
    "$binary" >"$WEBKIT_CAPABILITIES"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$WEBKIT_DRIVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "WebKitWebDriver did not start; its log:" >&2
  cat test-output/webkit-driver.log >&2
  return 1
}

stop_browsers() {
  for pid in "$WEBKIT_DRIVER_PID" "$XVFB_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      wait "$pid" 2>/dev/null || true
    fi
  done
  WEBKIT_DRIVER_PID=""
  XVFB_PID=""
}
