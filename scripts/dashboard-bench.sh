#!/usr/bin/env bash
# The premium dashboard's benchmarks (not tests): figures for BENCHMARKS.md ("The premium dashboard").
#
#   scripts/dashboard-bench.sh queries   # seed APPLICATIONS (default 1,000,000) over 365 days with
#                                        # `premia-server demo seed` into PostgreSQL, then SQLite, and time
#                                        # every dashboard query (examples/dashboard_queries.rs)
#   scripts/dashboard-bench.sh submit    # POST /api/quotes on SQLite and PostgreSQL, the commit before the
#                                        # dashboard (BASE, default 41b0e8d: i13 as merged into this branch,
#                                        # so that only the dashboard differs) and this one, alternately, in
#                                        # one run; direct sales only (an agent's sale needs its token)
#
# Variables: APPLICATIONS (1000000), RUNS (20 timings per query), DURATION (20s), CONNECTIONS (64), BASE.
# Starts and stops its own PostgreSQL (scripts/server-pg.sh) and servers; installs wrk from apt if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/server-pg.sh
source scripts/server-run.sh

APPLICATIONS=${APPLICATIONS:-1000000}
RUNS=${RUNS:-20}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
BASE=${BASE:-41b0e8d}
TARGET=${CARGO_TARGET_DIR:-target}
WORK=$(mktemp -d /tmp/premia-dashboard-bench.XXXXXX)
SERVER_PID=""

cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  pg_stop
  git -C "$root" worktree remove --force "$WORK/base" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

today() { TZ=Asia/Shanghai date +%F; }

bench_queries() {
  cargo build --release -q -p premia-server
  cargo build --release -q -p premia-server --example dashboard_queries
  echo "== machine: $(nproc) cores; load: $(uptime | sed 's/.*load average/load average/')"
  # One store at a time (a million applications take about 10 GB on disk): BACKENDS="postgres sqlite".
  for backend in ${BACKENDS:-postgres sqlite}; do
    local url="sqlite:$WORK/dashboard.db"
    if [[ $backend == postgres ]]; then
      pg_start
      url=$PREMIA_TEST_POSTGRES_URL
    fi
    echo "== seeding $APPLICATIONS applications over 365 days into ${url%%:*} (demo seed: the server's own routes)"
    local started=$SECONDS
    "$TARGET/release/premia-server" demo seed --allow-demo --applications "$APPLICATIONS" --days 365 \
      --database-url "$url" --data-dir "$WORK/data" 2>&1 | grep -o 'demo seed: .*' || true
    echo "seeded in $((SECONDS - started)) s"
    if [[ "$url" == postgres* ]]; then
      "$(pg_bindir)/psql" -h 127.0.0.1 -p "$(cat "$PREMIA_PG_DIR/port")" -U premia -d postgres -qAt -c "VACUUM ANALYZE" || true
    fi
    echo "== every dashboard query on ${url%%:*}, $RUNS runs each after a warm-up"
    PREMIA_DATA_DIR="$WORK/data" "$TARGET/release/examples/dashboard_queries" "$url" "$(today)" "$RUNS"
    echo "store size: $(du -sh "${PREMIA_PG_DIR:-$WORK}" | cut -f1)"
    pg_stop
    rm -rf "$WORK/dashboard.db"* "$WORK/data"
  done
}

need_wrk() {
  command -v wrk >/dev/null && return
  echo "dashboard-bench: installing wrk from apt" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}

start_server() {
  # The demo catalogue (illustrative) needs --allow-demo; one client sends every request, so the
  # per-client rate limits are off (they have their own tests).
  server_start "$1" "$2" --submit-rate 0 --verify-rate 0
  BASE_URL=$SERVER_URL
}

bench_submit() {
  need_wrk
  echo "== building the base ($BASE) in a temporary worktree (release profile, sharing the target folder's dependencies)"
  git -C "$root" worktree add -f -q "$WORK/base" "$BASE"
  (cd "$WORK/base" && CARGO_TARGET_DIR="$(realpath -m "$TARGET")" cargo build --release -q -p premia-server)
  cp "$TARGET/release/premia-server" "$WORK/premia-server-before"
  cargo build --release -q -p premia-server
  cargo build --release -q -p premia-server --example quotes_jsonl
  local before="$WORK/premia-server-before" after="$TARGET/release/premia-server"
  "$TARGET/release/examples/quotes_jsonl" --applications 2000 "$(today)" \
    | grep -v -e '"single_use":true' -e '"outcome":"decline"' -e '"outcome":"pending"' -e '"kind":"agent"' \
      >"$WORK/submit.jsonl"
  pg_start
  local n=0
  for round in 1 2; do
    for which in before after; do
      local bin=$before
      [[ $which == after ]] && bin=$after
      for backend in sqlite postgres; do
        n=$((n + 1))
        local url="sqlite:$WORK/data/submit-$n.db"
        if [[ $backend == postgres ]]; then
          "$(pg_bindir)/psql" -h 127.0.0.1 -p "$(cat "$PREMIA_PG_DIR/port")" -U premia -d postgres -qAt -c "CREATE DATABASE submit_$n" >/dev/null
          url="${PREMIA_TEST_POSTGRES_URL%/*}/submit_$n"
        fi
        start_server "$bin" "$url"
        local rate
        rate=$(QUOTES="$WORK/submit.jsonl" IDEMPOTENCY=1 wrk -t 1 -c "$CONNECTIONS" -d "$DURATION" \
          -s scripts/bench/post-quotes.lua "$BASE_URL/api/quotes" | awk '/Requests\/sec/ {print $2}')
        echo "round $round  $which ($([[ $which == before ]] && echo "$BASE" || git rev-parse --short HEAD))  $backend  POST /api/quotes: $rate applications/s"
        server_stop
      done
    done
  done
}

case "${1:-}" in
  queries) bench_queries ;;
  submit) bench_submit ;;
  *) echo "usage: dashboard-bench.sh queries|submit" >&2; exit 2 ;;
esac
