#!/usr/bin/env bash
# `make seed`: the full-size dataset (1,000,000 users, 5,000,000 articles)
# in its own database, `warta_large` on the private Postgres, or in
# LARGE_DATABASE_URL when set. Reuses a database that is already loaded.
# Prints the load time and the database size.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOG_PREFIX=seed
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

USERS="${SEED_USERS:-1000000}"
ARTICLES="${SEED_ARTICLES:-5000000}"

if [ -z "${LARGE_DATABASE_URL:-}" ]; then
  admin="$(scripts/services.sh start | grep ^TEST_DATABASE_URL= | cut -d= -f2-)"
  LARGE_DATABASE_URL="${admin%/*}/warta_large"
  psql -qAt -d "$admin" -c "SELECT 1 FROM pg_database WHERE datname = 'warta_large'" | grep -q 1 \
    || psql -q -d "$admin" -c "CREATE DATABASE warta_large"
fi
[ -x target/release/warta ] || cargo leptos build --release --precompress

export DATABASE_URL="$LARGE_DATABASE_URL"
target/release/warta migrate >/dev/null
have="$(psql -qAt -d "$DATABASE_URL" -c "SELECT count(*) FROM articles")"
if [ "$have" -ge "$ARTICLES" ]; then
  echo "seed: reusing the loaded database ($have articles)"
else
  [ "$have" -eq 0 ] || die "the database holds $have articles, fewer than $ARTICLES; drop it to reload"
  start=$(date +%s)
  target/release/warta seed --users "$USERS" --articles "$ARTICLES" --seed 42
  echo "seed: wall time $(( $(date +%s) - start ))s"
fi
psql -qAt -d "$DATABASE_URL" -c "SELECT 'seed: database size ' || pg_size_pretty(pg_database_size(current_database()))"
echo "LARGE_DATABASE_URL=$DATABASE_URL"
