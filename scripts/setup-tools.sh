#!/usr/bin/env bash
# Installs the build and test tools Warta needs, skipping what is present:
# the wasm32 target, pinned cargo-leptos and wasm-bindgen CLIs (from
# crates.io), npm packages (Tailwind, wasm-opt, Playwright, the Nu HTML
# checker) and, with `--browser`, Debian's Chromium for the end-to-end tests
# and Java for the HTML checker. Nothing is
# downloaded from outside the package registries.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION=0.3.11
# Must equal the wasm-bindgen crate version in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"

LOG_PREFIX=setup
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

command -v cargo >/dev/null || die "Rust is not installed: see https://rustup.rs"
command -v npm >/dev/null || die "Node.js and npm are not installed: install Node.js 20 or later"

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (a one-off build of about 25 minutes)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --ignore-rust-version
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  # Not --locked: its lock file names a yanked crate.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--browser" ] && ! command -v java >/dev/null 2>&1; then
  log "installing Debian's Java runtime for the Nu HTML checker"
  { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless >/dev/null; } \
    || die "please install Java (for example: sudo apt-get install default-jre-headless)"
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  log "installing Debian's chromium for the end-to-end tests"
  { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
    || die "please install Chromium (for example: sudo apt-get install chromium)"
fi
