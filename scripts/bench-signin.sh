#!/usr/bin/env bash
# `make bench-signin`: peak memory of the release server while 60 people
# sign in at the same moment (and 60 register), the case of the
# hostile-users issue. Runs the server twice in one go, with the default
# number of password hashing threads (one per core) and with 60 (every
# sign-in hashing at once, as before the issue), and prints each run's peak
# resident memory (VmHWM), the answers it gave and the ratio of the peaks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOG_PREFIX=bench-signin
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

[ -x target/release/warta ] || { log "building the release server first"; make build >&2; }
services_env="$(scripts/services.sh start)"
admin_url="$(grep ^TEST_DATABASE_URL= <<<"$services_env" | cut -d= -f2-)"
redis_url="$(grep ^TEST_REDIS_URL= <<<"$services_env" | cut -d= -f2-)"
db_url="${admin_url%/*}/warta_bench_signin"
CONCURRENCY=60

# One run: a fresh database and server with WARTA_PASSWORD_HASHERS=$1.
run() {
  local hashers="$1" port pid
  psql -q -d "$admin_url" -c "DROP DATABASE IF EXISTS warta_bench_signin WITH (FORCE)" -c "CREATE DATABASE warta_bench_signin"
  DATABASE_URL="$db_url" target/release/warta migrate >/dev/null
  port="$(free_port)"
  # Every request names its own reader (X-Forwarded-For from a trusted
  # proxy), so the per-address budget does not stop the crowd.
  DATABASE_URL="$db_url" REDIS_URL="$redis_url" PORT="$port" RUST_LOG=error LEPTOS_SITE_ROOT=target/site \
    WARTA_REDIS_PREFIX="bench-signin-$$-$hashers" WARTA_TRUSTED_PROXIES=127.0.0.1 \
    WARTA_PASSWORD_HASHERS="$hashers" WARTA_PASSWORD_WAIT_MS=10000 \
    target/release/warta serve &
  pid=$!
  # Stops this run's server if the script ends early (wait_ready or a
  # failed step), cleared once the run stops it itself.
  # shellcheck disable=SC2064 # pid is local to run: expanded now
  trap "kill $pid 2>/dev/null || true" EXIT
  wait_ready "http://127.0.0.1:$port/readyz" 10 "$pid"
  local idle
  idle="$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")"
  python3 - "$port" "$CONCURRENCY" <<'PY'
import json, sys, threading, urllib.request, urllib.error
from collections import Counter

port, n = int(sys.argv[1]), int(sys.argv[2])

def post(path, body, address):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": address}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code

def crowd(label, make):
    start = threading.Barrier(n)
    statuses, lock = Counter(), threading.Lock()
    def one(i):
        start.wait()
        status = make(i)
        with lock:
            statuses[status] += 1
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads: thread.start()
    for thread in threads: thread.join()
    print(f"  {label}: " + ", ".join(f"{count}× {status}" for status, count in sorted(statuses.items())))

user = lambda i: {"username": f"reader{i}", "email": f"reader{i}@example.org", "password": "correct horse battery"}
crowd(f"{n} registrations at once", lambda i: post("/api/users", {"user": user(i)}, f"10.1.0.{i}"))
for round in range(3):
    crowd(f"{n} sign-ins at once (round {round + 1})",
          lambda i: post("/api/users/login", {"user": {"email": user(i)["email"], "password": user(i)["password"]}}, f"10.2.{round}.{i}"))
PY
  local peak
  peak="$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  echo "bench-signin: hashers=$hashers: idle $((idle / 1024)) MB, peak $((peak / 1024)) MB (VmHWM)"
  echo "$peak" >"target/bench-signin-$hashers.kb"
}

cores="$(nproc)"
echo "bench-signin: $CONCURRENCY concurrent registrations, then 3 × $CONCURRENCY concurrent sign-ins, $cores cores"
run "$cores"
run "$CONCURRENCY"
bounded="$(cat "target/bench-signin-$cores.kb")"
unbounded="$(cat "target/bench-signin-$CONCURRENCY.kb")"
python3 -c "print(f'bench-signin: peak with {$cores} hashers is x{$bounded / $unbounded:.2f} of the peak with $CONCURRENCY ({$bounded // 1024} MB vs {$unbounded // 1024} MB)')"
psql -q -d "$admin_url" -c "DROP DATABASE IF EXISTS warta_bench_signin WITH (FORCE)"
