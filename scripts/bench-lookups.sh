#!/usr/bin/env bash
# `make bench-lookups`: lookups per second of the statements that find one
# account by username or email, on the 1M-user dataset (loaded first when it
# is not there), with pgbench (Postgres' own) at BENCH_CLIENTS (16) clients,
# prepared statements as sqlx sends them, BENCH_ROUNDS (2) rounds of
# BENCH_SECONDS (15) per form:
#
#   flat       an unpartitioned copy of `users` with the unique indexes it
#              had before the partitioning (lower(username), lower(email))
#   subquery   `id = (SELECT user_id FROM user_names …)`: the partition is
#              found as the statement runs
#   function   `id = user_id_by_username($1)`, as the query layer writes it:
#              found as the plan starts
#
# Every transaction first reads its name from a list of 50,000 users (the
# same ones as `make bench`), whose rate alone is printed as `names`. The
# copy and the list are dropped afterwards.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CLIENTS="${BENCH_CLIENTS:-16}"
ROUNDS="${BENCH_ROUNDS:-2}"
SECONDS_EACH="${BENCH_SECONDS:-15}"

LOG_PREFIX=bench-lookups
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

pgbench="$(command -v pgbench || find /usr/lib/postgresql -path '*/bin/pgbench' 2>/dev/null | sort | tail -1)"
[ -x "$pgbench" ] || die "pgbench not found (Debian's postgresql-15 package has it)"

large_url="$(scripts/seed-large.sh | tee /dev/stderr | grep ^LARGE_DATABASE_URL= | cut -d= -f2-)"
work="$(mktemp -d)"
cleanup() {
  psql -q -d "$large_url" -c "DROP TABLE IF EXISTS bench_lookup_names, bench_lookup_users" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

log "copying users into an unpartitioned table (about a minute)"
psql -q -v ON_ERROR_STOP=1 -d "$large_url" <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_lookup_names, bench_lookup_users;
CREATE TABLE bench_lookup_names AS
  SELECT (row_number() OVER ())::int AS n, username, email
  FROM (SELECT username, email FROM users ORDER BY md5(id::text) LIMIT 50000) chosen;
ALTER TABLE bench_lookup_names ADD PRIMARY KEY (n);
CREATE TABLE bench_lookup_users AS SELECT * FROM users;
ALTER TABLE bench_lookup_users ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON bench_lookup_users (lower(username));
CREATE UNIQUE INDEX ON bench_lookup_users (lower(email));
VACUUM ANALYZE bench_lookup_names, bench_lookup_users;
SQL

script() { # name statement
  printf '\\set n random(1, 50000)\nSELECT username, email FROM bench_lookup_names WHERE n = :n \\gset\n%s\n' "$2" >"$work/$1.sql"
}
script names ""
script username-flat "SELECT id, username, bio, image FROM bench_lookup_users WHERE lower(username) = lower(:username) AND suspended_at IS NULL;"
script username-subquery "SELECT id, username, bio, image FROM users WHERE id = (SELECT user_id FROM user_names WHERE username = lower(:username)) AND suspended_at IS NULL;"
script username-function "SELECT id, username, bio, image FROM users WHERE id = user_id_by_username(:username) AND suspended_at IS NULL;"
script email-flat "SELECT id, username, session_generation, password_hash FROM bench_lookup_users WHERE lower(email) = lower(:email);"
script email-subquery "SELECT id, username, session_generation, password_hash FROM users WHERE id = (SELECT user_id FROM user_emails WHERE email = lower(:email));"
script email-function "SELECT id, username, session_generation, password_hash FROM users WHERE id = user_id_by_email(:email);"

log "pgbench: $CLIENTS clients, $ROUNDS rounds of ${SECONDS_EACH}s per form"
printf '\n| form | %s |\n|---|%s\n' "$(seq -s ' | ' -f 'round %g' 1 "$ROUNDS")" "$(printf -- '---:|%.0s' $(seq "$ROUNDS"))"
declare -A rates
forms=(names username-flat username-subquery username-function email-flat email-subquery email-function)
for _ in $(seq "$ROUNDS"); do
  for form in "${forms[@]}"; do
    rates[$form]+=" $("$pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_EACH" -f "$work/$form.sql" "$large_url" 2>&1 \
      | awk '/^tps/ { printf "%.0f", $3 }')"
  done
done
for form in "${forms[@]}"; do
  printf '| %s%s |\n' "$form" "${rates[$form]// / | }"
done
