#!/usr/bin/env bash
# `make explain-large`: partition pruning of the reading queries on the
# 1M-user, 5M-article dataset. Loads it first when it is not there (`make
# seed`, which also applies the migrations), then runs the ignored
# integration test that reads, through auto_explain, the plans Postgres ran
# and prints how many partitions each query scanned; then the plans of the
# lookups that find one account.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

large_url="$(scripts/seed-large.sh | grep ^LARGE_DATABASE_URL= | cut -d= -f2-)"
DATABASE_URL="$large_url" target/release/warta migrate >/dev/null
LARGE_DATABASE_URL="$large_url" cargo test --locked -p warta --test api -- --ignored --nocapture \
  partitions::reading_queries_scan_only_the_partitions_they_need_on_the_large_dataset 2>&1 \
  | grep -E '^(one article|latest|popular|author|[0-9]+ partitions)|test result|panicked|assert'

# The lookups that find one account, as the query layer writes them
# (`queries::users::profile`, `queries::accounts::by_email`, by id
# everywhere): by id one partition of `users`; by email or username the
# registry's primary key (inside `user_id_by_email` / `user_id_by_username`),
# then one partition, chosen as the plan starts ("Subplans Removed: 15").
read -r id username email < <(psql -qAt -F ' ' -d "$large_url" \
  -c "SELECT id, username, email FROM users ORDER BY md5(id::text) LIMIT 1")
for query in \
  "SELECT id, username, bio, image FROM users WHERE id = $id" \
  "SELECT id, username, session_generation, password_hash, suspended_at IS NOT NULL FROM users WHERE id = user_id_by_email('$email')" \
  "SELECT id, username, bio, image FROM users WHERE id = user_id_by_username('$username') AND suspended_at IS NULL"; do
  printf '\n%s\n' "$query"
  psql -qAt -d "$large_url" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $query" | sed 's/^/    /'
done
