#!/usr/bin/env bash
# Install what the web build and tests need, idempotently (quick when everything is there):
#   - the wasm32-unknown-unknown Rust target, and the standard library's source (rust-src), which
#     web-build.sh rebuilds for size
#   - wasm-bindgen-cli at the version Cargo.lock pins (wasm-pack uses the one on PATH, never a download)
#   - wasm-pack (from crates.io)
#   - npm dependencies of web/ (binaryen's wasm-opt, terser, csso) and tests/web/ (playwright-core),
#     from package-lock
#   - Debian's zopfli and brotli, which precompress web/dist (.gz, .br) for the server
#   - Debian's chromium and a CJK font for readable screenshots (only with --browser)
#
#   scripts/web-tools.sh [--browser]
# Source it (`source scripts/web-tools.sh`) to get the same steps as functions without running them.
set -euo pipefail

web_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

web_wasm_bindgen_version() {
  # The version the lock file pins: wasm-bindgen's CLI must match it exactly.
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$(web_root)/Cargo.lock"
}

web_install_rust_tools() {
  local root wanted
  root=$(web_root)
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
  if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]]; then
    rustup component add rust-src
  fi
  wanted=$(web_wasm_bindgen_version)
  if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wanted" ]]; then
    echo "web-tools: installing wasm-bindgen-cli $wanted" >&2
    cargo install wasm-bindgen-cli --version "=$wanted" --force
  fi
  if ! command -v wasm-pack >/dev/null; then
    echo "web-tools: installing wasm-pack" >&2
    cargo install wasm-pack
  fi
  : "$root"
}

# Cargo's target directory ($CARGO_TARGET_DIR or the workspace's target/), where the scripts find what
# cargo built.
web_target_dir() {
  cargo metadata --format-version 1 --no-deps | node -e \
    'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))'
}

# The flags that build the browser's modules for size (web-build.sh says why): sets the arrays
# `size_env` (environment for cargo) and `size_args` (cargo arguments). The quote module and the buying
# module (buy-build.sh) are built with the same ones, so they share what they compile.
web_size_flags() {
  if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]]; then
    echo "web-tools: no rust-src component (rustup component add rust-src): the size build needs the standard library's source" >&2
    exit 1
  fi
  # Not a size step: source paths in the module (panic locations, which `#[track_caller]` code still
  # builds under immediate-abort) name no directory of the machine that built it.
  local remap="--remap-path-prefix=$(rustc --print sysroot)/lib/rustlib/src/rust=/rust"
  remap+=" --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src=/crates"
  remap+=" --remap-path-prefix=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)=/premia"
  size_env=(RUSTC_BOOTSTRAP=1 "RUSTFLAGS=-Zunstable-options -Cpanic=immediate-abort $remap")
  size_args=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)
}

# Exit unless every named tool (a command on PATH or an executable path) is there.
web_require_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    echo "web-tools: missing ${missing[*]} (scripts/web-tools.sh installs them): the size build needs every one" >&2
    exit 1
  fi
}

# `npm ci` when node_modules is missing or older than the lock file.
web_npm_ci() {
  local dir=$1
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    echo "web-tools: npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

web_install_npm_tools() {
  local root
  root=$(web_root)
  web_npm_ci "$root/web"
}

# apt-get install the given Debian packages (the caller lists only missing ones); needs root.
web_apt_install() {
  echo "web-tools: installing $* from apt" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "web-tools: need root to apt-get install $* (or install them yourself)" >&2
    return 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# zopfli (the smallest gzip-format output: 5% below gzip -9 on the wasm) and brotli (quality 11).
# web-build.sh refuses to run without them.
web_install_compressors() {
  local missing=()
  command -v zopfli >/dev/null || missing+=(zopfli)
  command -v brotli >/dev/null || missing+=(brotli)
  if ((${#missing[@]})); then
    web_apt_install "${missing[@]}"
  fi
}

web_install_browser() {
  local root missing=()
  root=$(web_root)
  web_npm_ci "$root/tests/web"
  command -v chromium >/dev/null || missing+=(chromium)
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  if ((${#missing[@]})); then
    web_apt_install "${missing[@]}"
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  web_install_rust_tools
  web_install_npm_tools
  web_install_compressors
  if [[ "${1:-}" == "--browser" ]]; then
    web_install_browser
  fi
fi
