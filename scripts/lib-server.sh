# Sourced by test and bench scripts: start the echo/test server on
# 127.0.0.1:$PORT, record its PID, and stop it by that PID on exit.
# Usage: start_server PORT LOGFILE
SERVER_PID=""

start_server() {
  local port="$1" log="$2"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use; set WS_TEST_PORT to a free port" >&2
    return 1
  fi
  PORT="$port" node www/server.js >"$log" 2>&1 &
  SERVER_PID=$!
  echo "$SERVER_PID" >"$log.pid"
  trap stop_server EXIT
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      kill -0 "$SERVER_PID" 2>/dev/null && return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "echo server did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
