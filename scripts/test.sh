#!/usr/bin/env bash
# `make test`: every check, from a fresh machine. Stops at the first failure
# and exits non-zero; ends with each runner's summary.
#
#   1. tools and services (private Postgres and Redis unless TEST_DATABASE_URL
#      and TEST_REDIS_URL are set)
#   2. cargo fmt --check; no module import cycles (scripts/module_graph.py);
#      clippy -D warnings for the server and the wasm build (scripts/check.sh,
#      also `make check`)
#   3. unit and integration tests (a fresh database per test)
#   4. a release build and Playwright in Debian's Chromium
#   5. the Nu HTML checker on one page of every type (scripts/check-html.sh)
#      and Lighthouse on the home page and an article (check-lighthouse.sh)
#   6. all 13 parts of the RealWorld API conformance suite, against the
#      release server (from ../shared/conformance, when present)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOG_PREFIX="test"
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

step "tools"
scripts/setup-tools.sh --browser

if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_REDIS_URL:-}" ]; then
  step "services"
  services_env="$(scripts/services.sh start)"
  [ -n "${TEST_DATABASE_URL:-}" ] || export "$(grep ^TEST_DATABASE_URL= <<<"$services_env")"
  if [ -z "${TEST_REDIS_URL:-}" ]; then
    export "$(grep ^TEST_REDIS_URL= <<<"$services_env")"
    [ -n "${TEST_SESSION_REDIS_URL:-}" ] || export "$(grep ^TEST_SESSION_REDIS_URL= <<<"$services_env")"
  fi
fi
# Sessions on a Redis of their own when one was given; else the next
# database of the cache's server.
export WARTA_SESSION_REDIS_URL="${TEST_SESSION_REDIS_URL:-}"
[ -n "$WARTA_SESSION_REDIS_URL" ] || unset WARTA_SESSION_REDIS_URL
# Databases left by earlier runs' tests.
psql -qAt -d "$TEST_DATABASE_URL" -c "SELECT datname FROM pg_database WHERE datname LIKE 'warta\_test\_%' OR datname IN ('warta_e2e', 'warta_conformance')" \
  | while read -r db; do psql -q -d "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"; done

scripts/check.sh
# target/ may be a build cache shared between runs (.ci/run): no earlier
# run's logs may feed this run's summary.
rm -f target/*.log

step "unit and integration tests"
cargo test --workspace --locked 2>&1 | tee target/cargo-test.log

step "release build"
cargo leptos build --release --precompress

step "end-to-end tests (Playwright, Chromium)"
e2e_db="${TEST_DATABASE_URL%/*}/warta_e2e"
psql -q -d "$TEST_DATABASE_URL" -c "CREATE DATABASE warta_e2e"
DATABASE_URL="$e2e_db" target/release/warta migrate
DATABASE_URL="$e2e_db" target/release/warta seed --users 100 --articles 500 --seed 7
E2E_DATABASE_URL="$e2e_db" E2E_REDIS_URL="$TEST_REDIS_URL" E2E_SESSION_REDIS_URL="${TEST_SESSION_REDIS_URL:-}" \
  npx playwright test --config end2end/playwright.config.ts 2>&1 | tee target/playwright.log

step "Nu HTML checker (every page type, both languages) and Lighthouse (the page types listed in check-lighthouse.sh)"
html_port="$(free_port)"
rm -rf target/html-outbox
DATABASE_URL="$e2e_db" REDIS_URL="$TEST_REDIS_URL" PORT="$html_port" WARTA_REDIS_PREFIX="warta-html-$$" \
  WARTA_OUTBOX_DIR=target/html-outbox RUST_LOG=warn LEPTOS_SITE_ROOT=target/site \
  target/release/warta serve >target/html-server.log 2>&1 &
html_server=$!
trap 'kill $html_server 2>/dev/null || true' EXIT
wait_ready "http://127.0.0.1:$html_port/readyz" 20 "$html_server" target/html-server.log
html_status=0
OUTBOX=target/html-outbox DATABASE_URL="$e2e_db" scripts/check-html.sh "http://127.0.0.1:$html_port" 2>&1 | tee target/check-html.log || html_status=$?
[ "$html_status" -ne 0 ] || DATABASE_URL="$e2e_db" scripts/check-lighthouse.sh "http://127.0.0.1:$html_port" 2>&1 | tee target/lighthouse.log || html_status=$?
kill "$html_server" 2>/dev/null || true
[ "$html_status" -eq 0 ] || { echo "the HTML checker or Lighthouse failed" >&2; exit 1; }

CONFORMANCE="$ROOT/../shared/conformance/realworld/run"
CONFORMANCE_PARTS=(auth errors_auth errors_authorization articles errors_articles comments errors_comments favorites tags pagination profiles errors_profiles feed)
if [ -x "$CONFORMANCE" ]; then
  step "RealWorld API conformance (${CONFORMANCE_PARTS[*]})"
  conf_db="${TEST_DATABASE_URL%/*}/warta_conformance"
  psql -q -d "$TEST_DATABASE_URL" -c "CREATE DATABASE warta_conformance"
  DATABASE_URL="$conf_db" target/release/warta migrate >/dev/null
  conf_port="$(free_port)"
  # The suite makes about 20 accounts from this one address, the hourly
  # budget of one address.
  DATABASE_URL="$conf_db" REDIS_URL="$TEST_REDIS_URL" PORT="$conf_port" WARTA_REDIS_PREFIX="warta-conformance-$$" \
    WARTA_REGISTRATIONS_PER_ADDRESS=1000 RUST_LOG=warn LEPTOS_SITE_ROOT=target/site target/release/warta serve >target/conformance-server.log 2>&1 &
  conf_server=$!
  trap 'kill $conf_server 2>/dev/null || true' EXIT
  wait_ready "http://127.0.0.1:$conf_port/readyz" 20 "$conf_server" target/conformance-server.log
  "$CONFORMANCE" "http://127.0.0.1:$conf_port/api" "${CONFORMANCE_PARTS[@]}" 2>&1 | tee target/conformance.log
  status=${PIPESTATUS[0]}
  kill "$conf_server" 2>/dev/null || true
  [ "$status" -eq 0 ] || { echo "conformance failed" >&2; exit 1; }
else
  log "../shared/conformance not found beside this checkout; skipping the RealWorld conformance run"
fi

step "summary"
grep -E '^test result:' target/cargo-test.log | awk '{ p += $4; f += $6 } END { printf "cargo test: %d passed, %d failed\n", p, f }'
grep -E '^\s+[0-9]+ (passed|failed|skipped|flaky)' target/playwright.log | sed 's/^ */playwright: /'
tail -1 target/check-html.log
tail -1 target/lighthouse.log
[ -f target/conformance.log ] && tail -1 target/conformance.log | sed "s/^/conformance (${CONFORMANCE_PARTS[*]}): /" || true
