#!/usr/bin/env bash
# `make bench`: the reading paths under load on the full-size dataset.
#
#   1. tools, services, the 1M-user/5M-article database (seeded once, then
#      reused), a release build and the calibration baseline
#   2. a release server on that database, with a cache of its own
#   3. wrk (Debian's) for BENCH_DURATION (10s) at BENCH_CONNECTIONS (64)
#      against the baseline and each route, after one warm-up pass
#   4. a table: requests/s, p50, p99, errors, rate as a fraction of the
#      baseline, and the first (uncached) request's time; then the server's
#      peak memory (VmHWM)
#   5. search with the caches out of the way: every request a query never
#      asked before (the words of the mix plus a word no article has, so
#      the matches stay the same), through the page and the API
#   6. the paths that find users, with the caches out of the way: every
#      request a different one of 50,000 users (the same users in every
#      run: the first by md5 of their id), signing in by email, their
#      profile page and API profile by username, and their articles
#      (listings that join authors)
#
# Sign-in and search budgets are lifted for the bench's server: it measures
# what an instance can do, not what one address is allowed.
#
# WARTA_PAGE_CACHE_MS=0 measures without the per-instance page cache, so
# every request renders (data still comes from Redis).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"

LOG_PREFIX=bench
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian's)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; } \
    || { log "please install wrk (sudo apt-get install wrk)"; exit 1; }
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
  WARTA_ATTEMPTS_PER_ADDRESS=1000000 WARTA_ATTEMPTS_PER_ACCOUNT=1000000 WARTA_SEARCHES_PER_ADDRESS=1000000 \
  WARTA_PASSWORD_WAIT_MS=30000 \
  target/release/warta serve >target/bench-server.log 2>&1 &
server=$!
baseline=""
trap 'kill $server $baseline 2>/dev/null || true' EXIT
wait_ready "http://127.0.0.1:$port/readyz" 20 "$server" target/bench-server.log

slug="$(psql -qAt -d "$large_url" -c "SELECT slug FROM articles WHERE status = 'published' ORDER BY views DESC, id DESC LIMIT 1")"
# The busiest tag: its deepest page (offset 10,000, the cap) is the slowest
# tag page there is.
tag="$(psql -qAt -d "$large_url" -c "SELECT tag FROM tag_counts ORDER BY articles DESC, tag LIMIT 1")"
[ -n "$tag" ] || { log "the dataset has no tags; drop warta_large and run make seed again"; exit 1; }
routes=(
  "/"
  "/?page=10000"
  "/popular"
  "/articles/$slug"
  "/tags/$tag"
  "/tags/$tag?page=501"
  "/search?q=sourdough"
  "/search?q=people+market"
  "/api/articles?page=1"
  "/api/articles?page=10000"
  "/api/articles/popular"
  "/api/articles/$slug"
  "/api/articles?tag=$tag&offset=10000&limit=20"
  "/api/articles?q=%22slow+travel%22"
)
# Searches that miss every cache: see search_mix below.
search_words=("sourdough" "people market" "\"slow travel\"" "bicycle repair" "tea -coffee" "volcanoes or ferries" "nothingiswrittenlikethis")

page_bytes="$(curl -s "http://127.0.0.1:$port/" | wc -c)"
target/release/examples/baseline "$base_port" "$page_bytes" &
baseline=$!
wait_ready "http://127.0.0.1:$base_port/" 5 "$baseline"

log "warming up (the seek anchors, the caches); the first request of each is uncached"
declare -A first_ms
for route in "${routes[@]}"; do
  read -r code seconds < <(curl -s -o /dev/null -w "%{http_code} %{time_total}\n" "http://127.0.0.1:$port$route")
  [ "$code" = 200 ] || { log "$route answered $code"; exit 1; }
  first_ms[$route]="$(awk -v s="$seconds" 'BEGIN { printf "%.1f", s * 1000 }')"
done
for route in "${routes[@]}"; do wrk -t1 -c4 -d1s "http://127.0.0.1:$port$route" >/dev/null; done

# wrk's latency in milliseconds.
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }

measure() { # url [wrk options] -> "rps p50 p99 errors"
  local out rps p50 p99 non2xx socket
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")"
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms)"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
  socket="$(awk -F'[ ,]+' '/Socket errors:/ { print $4 + $6 + $8 + $10 }' <<<"$out")"
  echo "$rps $p50 $p99 $(( ${non2xx:-0} + ${socket:-0} ))"
}

log "measuring ($DURATION at $CONNECTIONS connections, $THREADS wrk threads)"
read -r base_rps base_p50 base_p99 base_errors <<<"$(measure "http://127.0.0.1:$base_port/")"
printf '\n| route | req/s | p50 ms | p99 ms | errors | of baseline | first (uncached) ms |\n|---|---:|---:|---:|---:|---:|---:|\n'
printf '| baseline (%s-byte page) | %s | %s | %s | %s | 1.00 | |\n' "$page_bytes" "$base_rps" "$base_p50" "$base_p99" "$base_errors"
for route in "${routes[@]}"; do
  read -r rps p50 p99 errors <<<"$(measure "http://127.0.0.1:$port$route")"
  label="${route//$slug/{slug\}}"
  label="${label//$tag/{tag\}}"
  printf '| %s | %s | %s | %s | %s | %.2f | %s |\n' "$label" "$rps" "$p50" "$p99" "$errors" \
    "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print a / b }')" "${first_ms[$route]}"
done

# Every request a search nobody made before: the mix's words and a word no
# article has (`-x<random>`), which changes the cache keys but not the
# matches, so Redis and the page cache never answer.
search_mix="target/bench-search.lua"
{
  printf 'local words = {'
  for words in "${search_words[@]}"; do printf '"%s", ' "$(sed 's/"/%22/g; s/ /+/g' <<<"$words")"; done
  printf '}\n'
  cat <<'LUA'
local path = os.getenv("SEARCH_PATH")
local n = 0
function init(args) math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000) end
function request()
  n = n + 1
  return wrk.format("GET", path .. words[n % #words + 1] .. "+-x" .. math.random(1, 2000000000))
end
LUA
} >"$search_mix"
printf '\n| uncached search (the mix of %d queries) | req/s | p50 ms | p99 ms | errors | of baseline |\n|---|---:|---:|---:|---:|---:|\n' "${#search_words[@]}"
for path in "/search?q=" "/api/articles?q="; do
  read -r rps p50 p99 errors <<<"$(SEARCH_PATH="$path" measure "http://127.0.0.1:$port" -s "$search_mix")"
  printf '| %s | %s | %s | %s | %s | %.2f |\n' "$path…" "$rps" "$p50" "$p99" "$errors" "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print a / b }')"
done
# Users: each request one not asked before (the threads take turns through
# the list), so neither Redis nor the page cache has the answer.
users_mix="target/bench-users.lua"
{
  printf 'local users = {\n'
  psql -qAt -F ' ' -d "$large_url" -c "SELECT username, email FROM users ORDER BY md5(id::text) LIMIT 50000" \
    | awk '{ printf "{\"%s\", \"%s\"},\n", $1, $2 }'
  printf '}\n'
  cat <<'LUA'
local mode = os.getenv("USERS_MODE")
local threads = 0
function setup(thread) thread:set("turn", threads); threads = threads + 1 end
local n = 0
function request()
  local user = users[(n * 8 + turn) % #users + 1]
  n = n + 1
  if mode == "signin" then
    return wrk.format("POST", "/api/users/login", { ["Content-Type"] = "application/json" },
      '{"user":{"email":"' .. user[2] .. '","password":"warta-demo-password"}}')
  elseif mode == "page" then
    return wrk.format("GET", "/@" .. user[1])
  elseif mode == "profile" then
    return wrk.format("GET", "/api/profiles/" .. user[1])
  else
    return wrk.format("GET", "/api/articles?author=" .. user[1])
  end
end
LUA
} >"$users_mix"
printf '\n| users, uncached (50,000 of them) | req/s | p50 ms | p99 ms | errors | of baseline |\n|---|---:|---:|---:|---:|---:|\n'
for mode in signin page profile articles; do
  case "$mode" in
    signin) label="POST /api/users/login (by email)" ;;
    page) label="/@{username} (profile page)" ;;
    profile) label="/api/profiles/{username}" ;;
    articles) label="/api/articles?author={username}" ;;
  esac
  read -r rps p50 p99 errors <<<"$(USERS_MODE="$mode" measure "http://127.0.0.1:$port" -s "$users_mix")"
  printf '| %s | %s | %s | %s | %s | %.2f |\n' "$label" "$rps" "$p50" "$p99" "$errors" "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print a / b }')"
done
peak_kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/$server/status")"
printf '\nserver peak memory (VmHWM): %d MB\n' "$(( peak_kb / 1024 ))"
