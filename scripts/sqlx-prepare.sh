#!/usr/bin/env bash
# Regenerates .sqlx/, the metadata that lets sqlx check queries at compile
# time without a database. Applies the migrations to a scratch database,
# then compiles every target with the query macros online, writing one file
# per query (what `cargo sqlx prepare` does, without needing sqlx-cli).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOG_PREFIX=sqlx-prepare
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

services_env="$(scripts/services.sh start)"
admin_url="$(grep ^TEST_DATABASE_URL= <<<"$services_env" | cut -d= -f2-)"
scratch_url="${admin_url%/*}/warta_sqlx_prepare"

psql -q -d "$admin_url" -c "DROP DATABASE IF EXISTS warta_sqlx_prepare" -c "CREATE DATABASE warta_sqlx_prepare"
for migration in migrations/*.sql; do
  psql -q -v ON_ERROR_STOP=1 -d "$scratch_url" -f "$migration" >/dev/null
done

rm -rf .sqlx && mkdir .sqlx
# Make cargo recompile the crates that hold queries.
find app/src server/src server/tests -name '*.rs' -exec touch {} +
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$ROOT/.sqlx" DATABASE_URL="$scratch_url" \
  cargo check --workspace --all-targets --quiet
log "$(ls .sqlx | wc -l) queries in .sqlx/"
