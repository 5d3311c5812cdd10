# Sourced by test and bench scripts: start the echo/test server on
# 127.0.0.1:$PORT with server/launch.mjs (the one launcher), which records
# its PID; stop it by that PID on exit.
# Usage: start_server PORT LOGFILE
SERVER_PID=""

start_server() {
  local port="$1" log="$2"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use; set WS_TEST_PORT to a free port" >&2
    return 1
  fi
  if ! node server/launch.mjs --port "$port" --log "$log" --pid-file "$log.pid" >/dev/null; then
    echo "echo server did not start; its log:" >&2
    cat "$log" >&2
    return 1
  fi
  SERVER_PID=$(cat "$log.pid")
  trap stop_server EXIT
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    # Not our child (the launcher started it): wait for it to go.
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
  fi
  SERVER_PID=""
}
