#!/usr/bin/env bash
# `make test`: every check, from a fresh machine. Stops at the first failure
# and exits non-zero; ends with each runner's summary.
#
#   1. tools and services (private Postgres and Redis unless TEST_DATABASE_URL
#      and TEST_REDIS_URL are set)
#   2. cargo fmt --check; clippy -D warnings for the server and the wasm build
#   3. unit and integration tests (a fresh database per test)
#   4. a release build and Playwright in Debian's Chromium
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*" >&2; }

step "tools"
scripts/setup-tools.sh --browser

if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_REDIS_URL:-}" ]; then
  step "services"
  services_env="$(scripts/services.sh start)"
  [ -n "${TEST_DATABASE_URL:-}" ] || export "$(grep ^TEST_DATABASE_URL= <<<"$services_env")"
  [ -n "${TEST_REDIS_URL:-}" ] || export "$(grep ^TEST_REDIS_URL= <<<"$services_env")"
fi
# Databases left by earlier runs' tests.
psql -qAt -d "$TEST_DATABASE_URL" -c "SELECT datname FROM pg_database WHERE datname LIKE 'warta\_test\_%' OR datname = 'warta_e2e'" \
  | while read -r db; do psql -q -d "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"; done

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (server, tests)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "clippy (wasm)"
cargo clippy -p warta-hydrate --lib --target wasm32-unknown-unknown --features hydrate --locked -- -D warnings

step "unit and integration tests"
cargo test --workspace --locked 2>&1 | tee target/cargo-test.log

step "release build"
cargo leptos build --release --precompress

step "end-to-end tests (Playwright, Chromium)"
e2e_db="${TEST_DATABASE_URL%/*}/warta_e2e"
psql -q -d "$TEST_DATABASE_URL" -c "CREATE DATABASE warta_e2e"
DATABASE_URL="$e2e_db" target/release/warta migrate
DATABASE_URL="$e2e_db" target/release/warta seed --users 100 --articles 500 --seed 7
E2E_DATABASE_URL="$e2e_db" E2E_REDIS_URL="$TEST_REDIS_URL" \
  npx playwright test --config end2end/playwright.config.ts 2>&1 | tee target/playwright.log

step "summary"
grep -E '^test result:' target/cargo-test.log | awk '{ p += $4; f += $6 } END { printf "cargo test: %d passed, %d failed\n", p, f }'
grep -E '^\s+[0-9]+ (passed|failed|skipped|flaky)' target/playwright.log | sed 's/^ */playwright: /'
