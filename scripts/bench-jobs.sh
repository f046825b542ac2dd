#!/usr/bin/env bash
# `make bench-jobs`: a 10,000-follower fan-out through a real local SMTP
# server, timed twice: with the default 500 recipients a job, and with one
# email a job (the queue's throughput in jobs per second). Release build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
services_env="$(scripts/services.sh start)"
export "$(grep ^TEST_DATABASE_URL= <<<"$services_env")" "$(grep ^TEST_REDIS_URL= <<<"$services_env")"
cargo test --release --locked -p warta --test api -- --ignored --nocapture bench_fan_out_and_queue_throughput 2>&1 \
  | grep -E '^bench-jobs|test result'
