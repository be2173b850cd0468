#!/usr/bin/env bash
# A short fuzz run of the server's request parsing and verification (not part of the test command).
#   scripts/server-fuzz.sh [SECONDS_PER_TARGET]     default 60
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
cd fuzz
for target in verify_body quote_request submit_envelope; do
  mkdir -p "corpus/$target"  # new inputs go here (ignored by git); seeds/ is committed
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time="$seconds" -rss_limit_mb=4096
done
