#!/usr/bin/env bash
# Premia server tests: the store, the HTTP API, the tamper corpus, the coupon and idempotency races and
# the kill -9 durability test, on SQLite and on a real PostgreSQL (installed from apt if this machine has
# none, started in a temporary folder on a loopback port, and stopped on exit even when a test fails).
#
#   scripts/server-test.sh            # every server test
#   scripts/server-test.sh coupon     # only tests whose name contains "coupon"
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/server-pg.sh

trap pg_stop EXIT
pg_start
export PREMIA_REQUIRE_POSTGRES=1

status=0
cargo test --locked -p premia-store -p premia-server "$@" || status=$?
# The CLI's server-side commands (verify, blacklist, agent).
[[ $status -eq 0 ]] && { cargo test --locked -p premia-cli --test server_cli "$@" || status=$?; }
if [[ $status -ne 0 ]]; then
  echo "server-test: failed; PostgreSQL log:" >&2
  tail -n 30 "$PREMIA_PG_DIR/postgres.log" >&2 || true
  exit $status
fi
