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
# `premia verify` on files of quotes; and the core's verification of submitted bodies over the tests'
# corpus (the wasm build's quotes when PREMIA_TEST_QUOTES names them, as scripts/test.sh does).
[[ $status -eq 0 ]] && { cargo test --locked -p premia-cli --test server_cli "$@" || status=$?; }
[[ $status -eq 0 ]] && { cargo test --locked -p premia-core --test verify_body "$@" || status=$?; }
if [[ $status -ne 0 ]]; then
  echo "server-test: failed; PostgreSQL log:" >&2
  tail -n 30 "$PREMIA_PG_DIR/postgres.log" >&2 || true
  exit $status
fi
