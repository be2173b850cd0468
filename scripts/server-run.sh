#!/usr/bin/env bash
# The server binary as the benchmarks run it: on a free loopback port, its data and log under $WORK, the
# demo catalogue allowed, no site; ready once /healthz answers.
#
#   source scripts/server-pg.sh; source scripts/server-run.sh
#   server_start BIN DATABASE_URL [FLAG…]   # sets SERVER_PID and SERVER_URL (http://127.0.0.1:PORT)
#   server_stop                             # stops it (the caller's EXIT trap kills $SERVER_PID too)

server_start() {
  local bin=$1 url=$2 port
  shift 2
  port=$(pg_free_port)
  "$bin" --bind "127.0.0.1:$port" --data-dir "$WORK/data" --database-url "$url" --site-dir "$WORK/no-site" \
    --allow-demo "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { SERVER_URL="http://127.0.0.1:$port"; return; }
    sleep 0.1
  done
  cat "$WORK/server.log" >&2
  return 1
}

server_stop() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
