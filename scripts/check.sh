#!/usr/bin/env bash
# `make check`: what a reviewer looks at first, with no services or browser:
# cargo fmt --check, no import cycles between modules (and no server-only
# app::ssr code importing UI code), then clippy -D warnings for the server
# (every target, tests too) and for the wasm build (needs the wasm32 target:
# `make tools`). scripts/test.sh starts with it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOG_PREFIX=check
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

step "cargo fmt --check"
cargo fmt --all -- --check

# Seconds, and no build: a layering slip fails here before clippy runs.
step "module graph (no import cycles, no upward imports)"
python3 scripts/module_graph.py --upward

step "clippy (server, tests)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "clippy (wasm)"
cargo clippy -p warta-hydrate --lib --target wasm32-unknown-unknown --features hydrate --locked -- -D warnings
