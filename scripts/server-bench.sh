#!/usr/bin/env bash
# Premia server benchmarks (not tests): loopback load with wrk, figures for BENCHMARKS.md.
#
#   scripts/server-bench.sh verify     # POST /api/quotes/verify: throughput and latency percentiles
#   scripts/server-bench.sh submit     # POST /api/quotes on SQLite, then on PostgreSQL
#   scripts/server-bench.sh cli        # premia verify on a 1,000,000-line file
#   scripts/server-bench.sh soak       # 5 minutes of verify + submit load; server memory sampled every 10 s
#   scripts/server-bench.sh all        # verify, submit, cli (soak separately: it takes 5 minutes)
#
# Variables: DURATION (default 30s), CONNECTIONS (default 64), THREADS (wrk threads, default 1).
# Installs wrk from apt if missing. Release builds use the workspace's release profile (fat LTO).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/server-pg.sh
source scripts/server-run.sh

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
TARGET=${CARGO_TARGET_DIR:-target}
WORK=$(mktemp -d /tmp/premia-bench.XXXXXX)
SERVER_PID=""

cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  pg_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

need_wrk() {
  command -v wrk >/dev/null && return
  echo "server-bench: installing wrk from apt" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}

build() {
  cargo build --release -q -p premia-server -p premia-cli
  cargo build --release -q -p premia-server --example quotes_jsonl
}

today() { TZ=Asia/Shanghai date +%F; }

# A pool of genuine quotes for today, for /api/quotes/verify (no single-use vouchers, no declines: the same
# filter as for submissions keeps the two loads comparable).
quotes() {
  local count=$1 out=$2
  "$TARGET/release/examples/quotes_jsonl" "$count" "$(today)" >"$out.all"
  grep -v -e '"single_use":true' -e '"outcome":"decline"' -e '"outcome":"pending"' "$out.all" | head -n "$count" >"$out"
}

# A pool of application bodies for /api/quotes: {"quote": …, "resident_id": …}, each quote priced with the
# insured's resident ID number (no single-use vouchers: each would redeem once; direct sales only:
# agent-channel ones need their agents' tokens).
applications() {
  local count=$1 out=$2
  "$TARGET/release/examples/quotes_jsonl" --applications "$((count * 3))" "$(today)" >"$out.all"
  grep -v -e '"single_use":true' -e '"outcome":"decline"' -e '"outcome":"pending"' "$out.all" |
    grep -F '"channel":{"kind":"direct"}' | sed -n "1,${count}p" >"$out"
  # sed reads to the end: `head` would close the pipe early and, under pipefail, end the script.
  [[ $(wc -l <"$out") -eq $count ]] || { echo "server-bench: fewer than $count direct applications" >&2; exit 1; }
}

# The load comes from one address (wrk on loopback), far above a person's or a CRM's rate: the bench
# raises its own per-client limits (LIMITS=off measures without any, for the "what the limits cost" row);
# every other limit (timeouts, caps, headers) stays as configured by default.
LIMITS=${LIMITS:-on}
limit_args() {
  if [[ "$LIMITS" == off ]]; then
    echo "--verify-rate 0 --submit-rate 0"
  else
    echo "--verify-rate 1000000 --verify-burst 1000000 --submit-rate 1000000 --submit-burst 1000000"
  fi
}

start_server() {
  local metrics_port
  metrics_port=$(pg_free_port)
  # shellcheck disable=SC2046
  server_start "$TARGET/release/premia-server" "$1" --metrics-bind "127.0.0.1:$metrics_port" $(limit_args)
  METRICS="http://127.0.0.1:$metrics_port/metrics"
  BASE=$SERVER_URL
}

load() {
  local path=$1 file=$2 keyed=${3:-0}
  QUOTES=$file IDEMPOTENCY=$keyed wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency \
    -s scripts/bench/post-quotes.lua "$BASE$path"
}

bench_verify() {
  quotes 1000 "$WORK/verify.jsonl"
  start_server "sqlite:$WORK/data/verify.db"
  echo "== POST /api/quotes/verify, $CONNECTIONS connections, $DURATION (wrk on the same 2 cores)"
  load /api/quotes/verify "$WORK/verify.jsonl"
  grep -E 'premia_verifications_total' <(curl -s "$METRICS")
  server_stop
}

bench_submit() {
  applications 2000 "$WORK/submit.jsonl"
  start_server "sqlite:$WORK/data/submit.db"
  echo "== POST /api/quotes on SQLite (WAL, synchronous=FULL), $CONNECTIONS connections, $DURATION"
  load /api/quotes "$WORK/submit.jsonl" 1
  grep -E 'premia_applications_total' <(curl -s "$METRICS")
  server_stop
  pg_start
  start_server "$PREMIA_TEST_POSTGRES_URL"
  echo "== POST /api/quotes on PostgreSQL (fsync on), $CONNECTIONS connections, $DURATION"
  load /api/quotes "$WORK/submit.jsonl" 1
  grep -E 'premia_applications_total' <(curl -s "$METRICS")
  server_stop
}

bench_cli() {
  echo "== premia verify: 1,000,000 quotes, $(nproc) cores"
  "$TARGET/release/examples/quotes_jsonl" 1000000 "$(today)" 1000 >"$WORK/million.jsonl"
  ls -l "$WORK/million.jsonl" | awk '{printf "file: %.2f GB\n", $5 / 1e9}'
  cat "$WORK/million.jsonl" >/dev/null # warm the page cache: measure verifying, not the disk
  echo "load: $(uptime | sed 's/.*load average/load average/')"
  local status=0
  "$TARGET/release/premia" verify "$WORK/million.jsonl" -o "$WORK/verdicts.jsonl" || status=$?
  echo "exit code $status (1 expected: every 1000th quote is tampered)"
  grep -c '"verdict":"invalid"' "$WORK/verdicts.jsonl" | sed 's/^/invalid verdicts: /'
  # Again, the file now surely in the page cache; then one worker thread on 200,000 lines (less
  # sensitive to other work on the machine).
  "$TARGET/release/premia" verify "$WORK/million.jsonl" -o /dev/null 2>&1 | head -n 1 || true
  head -n 200000 "$WORK/million.jsonl" >"$WORK/q200k.jsonl"
  "$TARGET/release/premia" verify "$WORK/q200k.jsonl" -o /dev/null --jobs 1 2>&1 | head -n 1 || true
  echo "load: $(uptime | sed 's/.*load average/load average/')"
}

bench_soak() {
  quotes 2000 "$WORK/soak.jsonl"
  applications 2000 "$WORK/soak-applications.jsonl"
  start_server "sqlite:$WORK/data/soak.db"
  echo "== soak: 5 minutes of verify load (48 connections) and submit load (16 connections)"
  (QUOTES="$WORK/soak.jsonl" wrk -t 1 -c 48 -d 300s -s scripts/bench/post-quotes.lua "$BASE/api/quotes/verify" >"$WORK/soak-verify.txt") &
  local verify_pid=$!
  (QUOTES="$WORK/soak-applications.jsonl" IDEMPOTENCY=1 wrk -t 1 -c 16 -d 300s -s scripts/bench/post-quotes.lua "$BASE/api/quotes" >"$WORK/soak-submit.txt") &
  local submit_pid=$!
  echo "seconds rss_kib"
  for t in $(seq 0 10 300); do
    echo "$t $(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")"
    sleep 10
  done
  wait "$verify_pid" "$submit_pid" || true
  grep -E "Requests/sec|99%" "$WORK/soak-verify.txt" "$WORK/soak-submit.txt"
  server_stop
}

need_wrk
build
case "${1:-all}" in
  verify) bench_verify ;;
  submit) bench_submit ;;
  cli) bench_cli ;;
  soak) bench_soak ;;
  all) bench_verify; bench_submit; bench_cli ;;
  *) echo "usage: server-bench.sh verify|submit|cli|soak|all" >&2; exit 2 ;;
esac
