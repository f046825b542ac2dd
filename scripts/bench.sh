#!/usr/bin/env bash
# `make bench`: the reading paths under load on the full-size dataset.
#
#   1. tools, services, the 1M-user/5M-article database (seeded once, then
#      reused), a release build and the calibration baseline
#   2. a release server on that database, with a cache of its own
#   3. wrk (Debian's) for BENCH_DURATION (10s) at BENCH_CONNECTIONS (64)
#      against the baseline and each route, after one warm-up pass
#   4. a table: requests/s, p50, p99, errors, rate as a fraction of the
#      baseline; then the server's peak memory (VmHWM)
#
# WARTA_PAGE_CACHE_MS=0 measures without the per-instance page cache, so
# every request renders (data still comes from Redis).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"

log() { echo "bench: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian's)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; } \
    || { echo "bench: please install wrk (sudo apt-get install wrk)" >&2; exit 1; }
fi
scripts/setup-tools.sh
log "building the release server and the baseline"
cargo leptos build --release --precompress
cargo build --release --locked -p warta --example baseline

services_env="$(scripts/services.sh start)"
redis_url="$(grep ^REDIS_URL= <<<"$services_env" | cut -d= -f2-)"
large_url="$(scripts/seed-large.sh | tee /dev/stderr | grep ^LARGE_DATABASE_URL= | cut -d= -f2-)"

port="$(free_port)"
base_port="$(free_port)"
log "starting warta on 127.0.0.1:$port"
DATABASE_URL="$large_url" REDIS_URL="$redis_url" PORT="$port" RUST_LOG=warn \
  WARTA_REDIS_PREFIX="warta-bench-$$" LEPTOS_SITE_ROOT=target/site \
  WARTA_PAGE_CACHE_MS="${WARTA_PAGE_CACHE_MS:-1000}" \
  target/release/warta serve >target/bench-server.log 2>&1 &
server=$!
baseline=""
trap 'kill $server $baseline 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat target/bench-server.log >&2; exit 1; }

slug="$(psql -qAt -d "$large_url" -c "SELECT slug FROM articles WHERE status = 'published' ORDER BY views DESC, id DESC LIMIT 1")"
routes=(
  "/"
  "/?page=10000"
  "/popular"
  "/articles/$slug"
  "/api/articles?page=1"
  "/api/articles?page=10000"
  "/api/articles/popular"
  "/api/articles/$slug"
)

page_bytes="$(curl -s "http://127.0.0.1:$port/" | wc -c)"
target/release/examples/baseline "$base_port" "$page_bytes" &
baseline=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$base_port/" >/dev/null && break; sleep 0.1; done

log "warming up (the seek anchors, the caches)"
for route in "${routes[@]}"; do
  curl -s -o /dev/null -w "bench: warm-up %{http_code} %{time_total}s $route\n" "http://127.0.0.1:$port$route" >&2
done
for route in "${routes[@]}"; do wrk -t1 -c4 -d1s "http://127.0.0.1:$port$route" >/dev/null; done

# wrk's latency in milliseconds.
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }

measure() { # url -> "rps p50 p99 errors"
  local out rps p50 p99 non2xx socket
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1")"
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms)"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
  socket="$(awk -F'[ ,]+' '/Socket errors:/ { print $4 + $6 + $8 + $10 }' <<<"$out")"
  echo "$rps $p50 $p99 $(( ${non2xx:-0} + ${socket:-0} ))"
}

log "measuring ($DURATION at $CONNECTIONS connections, $THREADS wrk threads)"
read -r base_rps base_p50 base_p99 base_errors <<<"$(measure "http://127.0.0.1:$base_port/")"
printf '\n| route | req/s | p50 ms | p99 ms | errors | of baseline |\n|---|---:|---:|---:|---:|---:|\n'
printf '| baseline (%s-byte page) | %s | %s | %s | %s | 1.00 |\n' "$page_bytes" "$base_rps" "$base_p50" "$base_p99" "$base_errors"
for route in "${routes[@]}"; do
  read -r rps p50 p99 errors <<<"$(measure "http://127.0.0.1:$port$route")"
  label="$route"
  [ "$route" = "/articles/$slug" ] && label="/articles/{slug}"
  [ "$route" = "/api/articles/$slug" ] && label="/api/articles/{slug}"
  printf '| %s | %s | %s | %s | %s | %.2f |\n' "$label" "$rps" "$p50" "$p99" "$errors" "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print a / b }')"
done
peak_kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/$server/status")"
printf '\nserver peak memory (VmHWM): %d MB\n' "$(( peak_kb / 1024 ))"
