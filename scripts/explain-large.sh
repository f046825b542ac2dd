#!/usr/bin/env bash
# `make explain-large`: partition pruning of the reading queries on the
# 1M-user, 5M-article dataset. Loads it first when it is not there (`make
# seed`, which also applies the migrations), then runs the ignored
# integration test that reads, through auto_explain, the plans Postgres ran
# and prints how many partitions each query scanned.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

large_url="$(scripts/seed-large.sh | grep ^LARGE_DATABASE_URL= | cut -d= -f2-)"
DATABASE_URL="$large_url" target/release/warta migrate >/dev/null
LARGE_DATABASE_URL="$large_url" cargo test --locked -p warta --test api -- --ignored --nocapture \
  partitions::reading_queries_scan_only_the_partitions_they_need_on_the_large_dataset 2>&1 \
  | grep -E '^(one article|latest|popular|author|[0-9]+ partitions)|test result|panicked|assert'
