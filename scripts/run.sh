#!/usr/bin/env bash
# `make run`: tools, services, migrations, demo data, release build, serve.
# `make dev` (--dev): the same, then `cargo leptos watch` instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOG_PREFIX=run
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

scripts/setup-tools.sh

if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  services_env="$(scripts/services.sh start)"
  [ -n "${DATABASE_URL:-}" ] || export "$(grep ^DATABASE_URL= <<<"$services_env")"
  if [ -z "${REDIS_URL:-}" ]; then
    # The private cache Redis, and the private sessions' Redis beside it.
    export "$(grep ^REDIS_URL= <<<"$services_env")"
    [ -n "${WARTA_SESSION_REDIS_URL:-}" ] || export "$(grep ^WARTA_SESSION_REDIS_URL= <<<"$services_env")"
  fi
fi

if [ "${1:-}" = "--dev" ]; then
  cargo leptos build
  target/debug/warta migrate
  target/debug/warta seed --if-empty --users 200 --articles 2000
  exec cargo leptos watch
fi

# Metrics on a listener of its own, on this machine only (loopback needs no
# token); WARTA_METRICS_ADDR set by the caller wins, empty turns them off.
if [ -z "${WARTA_METRICS_ADDR+set}" ]; then
  metrics_port=9090
  port_busy "$metrics_port" && metrics_port="$(free_port)"
  export WARTA_METRICS_ADDR="127.0.0.1:$metrics_port"
fi

log "building the release server (the first build takes several minutes)"
cargo leptos build --release --precompress
target/release/warta migrate
target/release/warta seed --if-empty --users 200 --articles 2000

log "serving at http://127.0.0.1:${PORT:-3000} (Ctrl-C stops; \`make stop\` stops Postgres and Redis)"
[ -z "$WARTA_METRICS_ADDR" ] || log "metrics at http://$WARTA_METRICS_ADDR/metrics"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
exec target/release/warta serve
