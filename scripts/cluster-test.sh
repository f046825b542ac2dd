#!/usr/bin/env bash
# `make cluster-test`: the seven scale-out checks, run against the local
# cluster of scripts/cluster.sh (started first when it is not running,
# which needs target/release/warta: `make build`, or WARTA_BIN):
#
#   1. session across instances: registered on web1, /fn/me on web2 knows it
#   2. an instance killed under load: wrk on nginx, web1 SIGKILLed 4 s in;
#      no socket errors, no non-2xx/3xx answers
#   3. rolling restart under load: web1 then web2 restarted during wrk; no
#      errors, and three sessions made before are honoured by both after
#   4. replica stopped, then started: cache-missing reads stay 200 and go to
#      the primary, then back to the replica (pg_stat_database counters)
#   5. a Redis master stopped: pages stay 200 within 2 s, through its
#      replica's takeover; then started and failed back
#   6. the worker SIGKILLed during a notification fan-out: after a restart,
#      every follower has exactly one email (and the replica's lag is shown)
#   7. the Postgres primary SIGKILLed (its Patroni and its postmaster) under
#      a stream of writes, psql inserts through HAProxy and favorites through
#      nginx's JSON API: both resume within 30 s, no acknowledged write is
#      missing, pages through nginx stay 200 meanwhile, a session made before
#      still works, and the dead node rejoins as the synchronous standby
#
# then figures: requests/s through nginx with one web instance and with two
# (CLUSTER_TEST_FIGURES=0 skips them). Each check prints its figures and
# one line, `PASS n name: details` or `FAIL n name: why`; a summary ends the
# run, which exits 1 if any check failed. A check that fails does not stop
# the others: after each one, whatever it stopped is started again and a
# Redis master it failed over is failed back (a Postgres node that was
# killed comes back as a replica: which node leads does not matter). The
# cluster is left running (`make cluster-stop`).
#
#   scripts/cluster-test.sh [N...]     only checks N (e.g. `4 5`; `figures`
#                                      for the figures); default all
#
# Settings: CLUSTER_TEST_FOLLOWERS (5000, check 6), CLUSTER_TEST_READS (40
# cache-missing reads per phase of check 4), CLUSTER_TEST_FIGURES (1).
# Six accounts are registered over HTTP per run (the app allows 30
# attempts per address in 10 minutes and 20 new accounts an hour); the
# followers of check 6 and the writers of check 7 (with their API tokens)
# are rows inserted with SQL and deleted once the check passes. Files:
# .data/cluster/test/run-ID/ (cookie jars, wrk output, the writers' and
# probes' records, scripts/cluster.sh messages; the last five runs kept).
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER_SH="$ROOT/scripts/cluster.sh"
DATA="${WARTA_DATA_DIR:-$ROOT/.data}"
CLUSTER="$DATA/cluster"
TEST="$CLUSTER/test"
FOLLOWERS="${CLUSTER_TEST_FOLLOWERS:-5000}"
READS="${CLUSTER_TEST_READS:-40}"
FIGURES="${CLUSTER_TEST_FIGURES:-1}"
PASSWORD="cluster-test-password"

LOG_PREFIX=cluster-test
DIE_STATUS=2 # exit 1 is a failed check
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# The checks, and what they do over HTTP.
# shellcheck source=scripts/lib/cluster-test-http.sh
. "$ROOT/scripts/lib/cluster-test-http.sh"
# shellcheck source=scripts/lib/cluster-test-web.sh
. "$ROOT/scripts/lib/cluster-test-web.sh"
# shellcheck source=scripts/lib/cluster-test-stores.sh
. "$ROOT/scripts/lib/cluster-test-stores.sh"
# shellcheck source=scripts/lib/cluster-test-worker.sh
. "$ROOT/scripts/lib/cluster-test-worker.sh"

[[ "$FOLLOWERS" =~ ^[1-9][0-9]*$ ]] || die "CLUSTER_TEST_FOLLOWERS must be a number, got \`$FOLLOWERS\`"
[[ "$READS" =~ ^[1-9][0-9]*$ ]] || die "CLUSTER_TEST_READS must be a number, got \`$READS\`"
(( BASH_VERSINFO[0] >= 5 )) || die "needs bash 5 (EPOCHREALTIME)"

# This run's id (hex: usernames, titles), and its folder.
RUN="$(printf '%x%04x' "$(date +%s)" "$RANDOM")"
RUNDIR="$TEST/run-$RUN"
mkdir -p "$RUNDIR"
# shellcheck disable=SC2012 # run-<hex> names only
ls -1dt "$TEST"/run-* 2>/dev/null | tail -n +6 | while read -r old; do rm -rf "$old"; done
LOG="$RUNDIR/cluster.log"
FIGURES_FILE="$RUNDIR/figures"
: >"$FIGURES_FILE"
STARTED_AT=$EPOCHREALTIME

# ------------------------------------------------------------------ helpers
info() { printf '     %s\n' "$*"; }
figure() { info "$*"; echo "$*" >>"$FIGURES_FILE"; }
# awk arithmetic on numbers this script made: calc EXPRESSION [DECIMALS]
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
since() { calc "$EPOCHREALTIME - $1" "${2:-1}"; }

# scripts/cluster.sh, its messages into the run's log (stdout is kept).
cl() {
  echo "+ $(date +%T) cluster.sh $*" >>"$LOG"
  "$CLUSTER_SH" "$@" 2>>"$LOG"
}
# The last message scripts/cluster.sh wrote, for a failure's reason.
cl_said() { grep -v '^+ ' "$LOG" | tail -n "${1:-1}" | tr '\n' ' ' | sed 's/ *$//'; }

# Verdicts, inside a check's subshell: one line, then the subshell ends.
pass() { printf 'PASS %s: %s\n' "$CHECK_LABEL" "$*"; echo pass >"$RUNDIR/verdict-$CHECK_ID"; exit 0; }
fail() { printf 'FAIL %s: %s\n' "$CHECK_LABEL" "$*"; echo fail >"$RUNDIR/verdict-$CHECK_ID"; exit 1; }
done_() { echo pass >"$RUNDIR/verdict-$CHECK_ID"; }

# Background processes of the running check (wrk, probes, the lag
# sampler), ended when its subshell exits, however it exits.
BG=()
stop_bg() {
  local pid
  for pid in "${BG[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BG[@]}"; do wait "$pid" 2>/dev/null || true; done
  BG=()
}

# -------------------------------------------------------------- the cluster
cluster_running() { cl status >/dev/null 2>&1; }
if ! cluster_running; then
  bin="${WARTA_BIN:-$ROOT/target/release/warta}"
  case "$bin" in /*) ;; *) bin="$ROOT/$bin" ;; esac
  [ -x "$bin" ] || die "the cluster is not (all) running and $bin is missing: \`make build\` first (or set WARTA_BIN)"
  echo "cluster-test: starting the cluster (scripts/cluster.sh start; log: $LOG)"
  cl start >/dev/null || { tail -n 15 "$LOG" >&2; die "scripts/cluster.sh start failed"; }
fi
# (scripts/cluster.sh start installs Postgres, Redis and curl when missing.)
for tool in curl psql redis-cli awk shuf xargs timeout comm od; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (scripts/cluster.sh start installs postgresql-client, redis-server and curl)"
done
ENV_LINES="$(cl env)"
env_value() { grep -m1 "^$1=" <<<"$ENV_LINES" | cut -d= -f2-; }
PRIMARY_URL="$(env_value DATABASE_URL)"
REPLICA_URL="$(env_value DATABASE_REPLICA_URLS | cut -d, -f1)"
URL="$(env_value CLUSTER_URL)"
ORIGIN="$(env_value WARTA_PUBLIC_URL)"
OUTBOX="$(env_value WARTA_OUTBOX_DIR)"
IFS=, read -r -a WEB_URLS <<<"$(env_value CLUSTER_WEB_URLS)"
IFS=, read -r -a REDIS_SEEDS <<<"$(env_value REDIS_URL)"
[ ${#WEB_URLS[@]} -ge 2 ] || die "the checks need two web instances (CLUSTER_WEB_PORTS), found: ${WEB_URLS[*]}"
WEB1="${WEB_URLS[0]}" WEB2="${WEB_URLS[1]}"
REDIS_PORTS=()
for seed in "${REDIS_SEEDS[@]}"; do REDIS_PORTS+=("${seed##*:}"); done
ACCESS_LOG="$CLUSTER/logs/nginx-access.log"
web_url() { echo "${WEB_URLS[$((${1#web} - 1))]}"; }
web_addr() { web_url "$1" | sed 's|^https\?://||'; }

redis_port() { echo "${REDIS_PORTS[$(($1 - 1))]}"; }
redis_field() { redis-cli -h 127.0.0.1 -p "$1" "${@:3}" 2>/dev/null | tr -d '\r' | grep "^$2:" | cut -d: -f2 || true; }
redis_role() { redis_field "$(redis_port "$1")" role info replication; }
# The masters that scripts/cluster.sh made (redis-cli --cluster create
# makes the first three nodes masters): failed back to after each check.
REDIS_MASTERS=(1 2 3)

sql() { # primary|replica SQL: unaligned rows, | between fields
  local url="$PRIMARY_URL"
  [ "$1" = replica ] && url="$REPLICA_URL"
  psql "$url" -X -q -t -A -v ON_ERROR_STOP=1 -c "$2"
}

# Runs the check function FN as ID (LABEL: `1 session across instances`)
# in a subshell, so that a failure anywhere in it ends that check only;
# then restores the cluster. CHECK_STATUS: 0 when it passed. (Call it as a
# plain command: in an `if` or `||`, bash would ignore set -e inside.)
run_check() {
  local id="$1" label="$2" fn="$3" status started=$EPOCHREALTIME why
  echo
  echo "== $label"
  rm -f "$RUNDIR/verdict-$id" "$RUNDIR/error-$id"
  set +e
  (
    set -eEuo pipefail
    CHECK_ID="$id" CHECK_LABEL="$label"
    # (The file too: the checks live in scripts/lib/cluster-test-*.sh.)
    trap 'echo "${BASH_SOURCE[0]#"$ROOT/"} line $LINENO: $BASH_COMMAND" >"$RUNDIR/error-$id"' ERR
    trap stop_bg EXIT
    "$fn"
  )
  status=$?
  set -e
  if [ ! -s "$RUNDIR/verdict-$id" ]; then
    why="$(cat "$RUNDIR/error-$id" 2>/dev/null || true)"
    printf 'FAIL %s: the check stopped unexpectedly (exit %s%s)\n' "$label" "$status" "${why:+, $why}"
    echo fail >"$RUNDIR/verdict-$id"
    status=1
  fi
  restore_cluster
  info "($(since "$started" 0) s)"
  CHECK_STATUS="$status"
}

# Starts whatever is stopped, fails back the Redis masters of the start,
# and waits until nginx routes to each web instance.
restore_cluster() {
  local name state rest brought=() n wait_s
  while read -r name state rest; do
    [ "$state" = stopped ] || continue
    case "$name" in
      redis*) cl start-redis "${name#redis}" ;;
      *) cl start "$name" ;;
    esac || { info "restoring: could not start $name again: $(cl_said 2)"; continue; }
    brought+=("$name")
  done < <(cl status 2>/dev/null || true)
  for n in "${REDIS_MASTERS[@]}"; do
    [ "$(redis_role "$n")" = master ] && continue
    if cl failback-redis "$n"; then brought+=("redis$n as a master"); else info "restoring: redis$n is not a master again: $(cl_said)"; fi
  done
  [ ${#brought[@]} -eq 0 ] || info "restored: ${brought[*]}"
  # nginx leaves an instance out for 10 s after it failed (max_fails,
  # fail_timeout): the next check starts once nginx routes to each again.
  for name in $(seq ${#WEB_URLS[@]}); do
    name="web$name"
    if ! wait_s="$(in_rotation "$name")"; then
      info "restoring: nginx still routes nothing to $name after ${wait_s} s"
    elif [ "$(calc "$wait_s >= 1" 0)" = 1 ]; then
      info "restoring: nginx routes to $name again after ${wait_s} s"
    fi
  done
}

# ---------------------------------------------------------------------- run
declare -A NAMES=(
  [1]="session across instances" [2]="instance killed under load" [3]="rolling restart under load"
  [4]="replica stopped and started" [5]="Redis master stopped" [6]="worker killed during a fan-out"
  [7]="primary killed under writes"
)
selected=("$@")
if [ ${#selected[@]} -eq 0 ]; then
  selected=(1 2 3 4 5 6 7)
  [ "$FIGURES" = 0 ] || selected+=(figures)
fi
for id in "${selected[@]}"; do
  [ "$id" = figures ] || [ -n "${NAMES[$id]:-}" ] || die "no check \`$id\`: 1 to 7, or figures"
done
echo "cluster-test: run $RUN against $URL (web: ${WEB_URLS[*]}); files: $RUNDIR"
restore_cluster
passed=0 failed=0
for id in "${selected[@]}"; do
  if [ "$id" = figures ]; then
    # Not a check: a failure here is reported, not counted.
    run_check figures "figures: requests/s with one web instance and with two" figures
  else
    run_check "$id" "$id ${NAMES[$id]}" "check_$id"
    if [ "$CHECK_STATUS" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  fi
done

echo
echo "== summary"
for id in "${selected[@]}"; do
  [ "$id" = figures ] && continue
  verdict="$(cat "$RUNDIR/verdict-$id" 2>/dev/null || echo fail)"
  echo "${verdict^^} $id ${NAMES[$id]}"
done
while read -r line; do echo "figure: $line"; done <"$FIGURES_FILE"
echo "(run $RUN, $(since "$STARTED_AT" 0) s; files in $RUNDIR; the cluster is still running: \`make cluster-stop\` stops it)"
echo "cluster-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
