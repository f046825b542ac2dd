#!/usr/bin/env bash
# A whole Warta cluster on one machine, under .data/cluster/ (git-ignored),
# started without root (`make cluster`; `make cluster-stop`):
#
#   Postgres primary   127.0.0.1:55432  (CLUSTER_PG_PORT), wal_level=replica
#   Postgres replica   127.0.0.1:55433  (CLUSTER_PG_REPLICA_PORT), streaming,
#                      made with `pg_basebackup -R` and a replication slot
#   Redis Cluster      127.0.0.1:47001-47003 masters, 47004-47006 replicas
#                      (CLUSTER_REDIS_PORT, the first; CLUSTER_REDIS_REPLICAS=0
#                      for masters only). Redis's cluster bus listens on each
#                      port + 10000 (57001-57006), so ports stay below 55536.
#                      The cache: 64 MB a node (CLUSTER_REDIS_MB), LRU eviction.
#   sessions' Redis    127.0.0.1:47100 (CLUSTER_SESSION_REDIS_PORT): sessions and
#                      attempt budgets, never evicted, append-only file
#   nginx              127.0.0.1:8080 (CLUSTER_PORT), deploy/nginx/render-cluster.sh
#   web1, web2         127.0.0.1:3101, 3102 (CLUSTER_WEB_PORTS="3101,3102"):
#                      `warta serve`, WARTA_INLINE_WORKER=false
#   worker             `warta worker`
#
# The warta processes run WARTA_BIN (default target/release/warta: `make
# build`) and get DATABASE_URL (the primary), DATABASE_REPLICA_URLS (the
# replica; comma-separated), REDIS_URL (every cluster node as comma-separated
# redis:// seed URLs), WARTA_SESSION_REDIS_URL (the sessions' Redis),
# WARTA_PUBLIC_URL=http://127.0.0.1:8080, a WARTA_SECRET
# made once (.data/cluster/secret), mail as .eml files in
# .data/cluster/outbox, media in .data/cluster/media (shared). Lines in
# .data/cluster/warta.env (WARTA_CONFIG_FILE) add settings for all of them;
# WARTA_*, RUST_* and LEPTOS_* in the caller's environment are passed on.
# Logs: .data/cluster/logs/NAME.log.
#
#   scripts/cluster.sh start [--infra-only]   start what is not running (idempotent);
#                                 --infra-only: no warta processes (no binary needed)
#   scripts/cluster.sh stop                   stop everything, gracefully
#   scripts/cluster.sh status                 one line per process (exit 3 if any is down)
#   scripts/cluster.sh env                    the URLs, as NAME=value lines
#   scripts/cluster.sh check                  replication, Redis Cluster, nginx: verified now
#   scripts/cluster.sh start|stop|restart NAME   one process: primary replica redisN
#                                                nginx webN worker
#   scripts/cluster.sh kill NAME              crash it: SIGKILL (Postgres: immediate stop)
#   scripts/cluster.sh stop-replica | start-replica | stop-redis N | start-redis N
#   scripts/cluster.sh failback-redis N       make node N a master again after a failover
#   scripts/cluster.sh wrk-path               print a wrk binary's path (fetched if needed)
#   scripts/cluster.sh psql primary|replica [ARGS]   psql on the warta database
#   scripts/cluster.sh log NAME               print the log file's path
#   scripts/cluster.sh clean                  stop, then delete .data/cluster
#
# Ports are chosen at the first start (environment, else the defaults above)
# and remembered in .data/cluster/ports; a port that is taken stops the start
# with its name. As root, Postgres runs as the `postgres` user and nginx as
# `nobody`, as scripts/services.sh and scripts/validate-deploy.sh do.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${WARTA_DATA_DIR:-$ROOT/.data}"
CLUSTER="$DATA/cluster"
TOOLS="$DATA/tools"
LOGS="$CLUSTER/logs"
RUN="$CLUSTER/run"
STATE="$CLUSTER/ports"
PG_USER=warta
PG_DB=warta
SLOT=warta_replica
NOBODY=65534

LOG_PREFIX=cluster
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/debian-tool.sh
. "$ROOT/scripts/lib/debian-tool.sh"

# ------------------------------------------------------------------ settings
# NAME=value lines in .data/cluster/ports, from the first start. The
# environment may change a port only while what uses it is not set up
# (Postgres and Redis keep theirs in their data) or not running.
declare -A RECORDED=()
if [ -s "$STATE" ]; then
  while IFS='=' read -r key value; do
    [ -n "$key" ] && RECORDED[$key]="$value"
  done <"$STATE"
fi

# setting KEY ENV_NAME DEFAULT FIXED_WHEN_THIS_EXISTS
setting() {
  local key="$1" env="$2" default="$3" fixed="$4" wanted="${!2:-}"
  local recorded="${RECORDED[$key]:-}"
  if [ -n "$wanted" ] && [ -n "$recorded" ] && [ "$wanted" != "$recorded" ] && [ -e "$fixed" ]; then
    die "$env=$wanted, but the cluster uses $recorded (see $fixed): stop it first, or for Postgres and Redis \`scripts/cluster.sh clean\`"
  fi
  printf '%s' "${wanted:-${recorded:-$default}}"
}

PG_PORT="$(setting PG_PORT CLUSTER_PG_PORT 55432 "$CLUSTER/postgres/primary/PG_VERSION")"
REPLICA_PORT="$(setting REPLICA_PORT CLUSTER_PG_REPLICA_PORT 55433 "$CLUSTER/postgres/replica/PG_VERSION")"
REDIS_PORT="$(setting REDIS_PORT CLUSTER_REDIS_PORT 47001 "$CLUSTER/redis/1/nodes.conf")"
REDIS_REPLICAS="$(setting REDIS_REPLICAS CLUSTER_REDIS_REPLICAS 1 "$CLUSTER/redis/1/nodes.conf")"
SESSION_REDIS_PORT="$(setting SESSION_REDIS_PORT CLUSTER_SESSION_REDIS_PORT 47100 "$CLUSTER/redis/sessions/redis.conf")"
HTTP_PORT="$(setting HTTP_PORT CLUSTER_PORT 8080 "$RUN/nginx.running")"
WEB_PORTS="$(setting WEB_PORTS CLUSTER_WEB_PORTS 3101,3102 "$RUN/web.running")"
# The binary: WARTA_BIN, else target/release/warta at a whole `start`; the
# one the cluster was started with when one process is (re)started.
if [ "${1:-}" = start ] && [[ "${2:-}" == "" || "${2:-}" == --* ]]; then
  WARTA_BIN="${WARTA_BIN:-$ROOT/target/release/warta}"
else
  WARTA_BIN="$(setting WARTA_BIN WARTA_BIN "$ROOT/target/release/warta" /nonexistent)"
fi
case "$WARTA_BIN" in /*) ;; *) WARTA_BIN="$ROOT/$WARTA_BIN" ;; esac
[[ "$REDIS_REPLICAS" =~ ^[01]$ ]] || die "CLUSTER_REDIS_REPLICAS must be 0 or 1, got \`$REDIS_REPLICAS\`"
for port in "$PG_PORT" "$REPLICA_PORT" "$REDIS_PORT" "$SESSION_REDIS_PORT" "$HTTP_PORT" ${WEB_PORTS//,/ }; do
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] && [ "$port" -lt 65536 ] || die "\`$port\` is not a port"
done
IFS=, read -r -a WEB_PORT_LIST <<<"$WEB_PORTS"
# Redis Cluster: three masters, each with CLUSTER_REDIS_REPLICAS replicas.
REDIS_NODES=$((3 * (1 + REDIS_REPLICAS)))
[ $((REDIS_PORT + REDIS_NODES - 1 + 10000)) -lt 65536 ] \
  || die "CLUSTER_REDIS_PORT=$REDIS_PORT: Redis's cluster bus needs each port + 10000 below 65536"

save_settings() {
  mkdir -p "$CLUSTER"
  printf '%s\n' "PG_PORT=$PG_PORT" "REPLICA_PORT=$REPLICA_PORT" "REDIS_PORT=$REDIS_PORT" \
    "REDIS_REPLICAS=$REDIS_REPLICAS" "SESSION_REDIS_PORT=$SESSION_REDIS_PORT" "HTTP_PORT=$HTTP_PORT" \
    "WEB_PORTS=$WEB_PORTS" "WARTA_BIN=$WARTA_BIN" >"$STATE"
}

redis_port() { echo $((REDIS_PORT + $1 - 1)); }
redis_seeds() {
  local n urls=()
  for n in $(seq "$REDIS_NODES"); do urls+=("redis://127.0.0.1:$(redis_port "$n")"); done
  (IFS=,; echo "${urls[*]}")
}
web_names() { local i; for i in "${!WEB_PORT_LIST[@]}"; do echo "web$((i + 1))"; done; }
web_port() { echo "${WEB_PORT_LIST[$((${1#web} - 1))]}"; }

print_env() {
  local urls=() name
  for name in $(web_names); do urls+=("http://127.0.0.1:$(web_port "$name")"); done
  echo "DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
  echo "DATABASE_REPLICA_URLS=postgres://$PG_USER@127.0.0.1:$REPLICA_PORT/$PG_DB"
  echo "REDIS_URL=$(redis_seeds)"
  echo "WARTA_SESSION_REDIS_URL=redis://127.0.0.1:$SESSION_REDIS_PORT"
  echo "WARTA_PUBLIC_URL=http://127.0.0.1:$HTTP_PORT"
  echo "CLUSTER_URL=http://127.0.0.1:$HTTP_PORT"
  echo "CLUSTER_WEB_URLS=$(IFS=,; echo "${urls[*]}")"
  echo "WARTA_OUTBOX_DIR=$CLUSTER/outbox"
  echo "WARTA_MEDIA_URL=$CLUSTER/media"
}

# ---------------------------------------------------------------- processes
# The pid in FILE (first line), if that process runs and its command line
# holds WORD.
pid_of() {
  local file="$1" word="$2" pid
  [ -r "$file" ] || return 1
  pid="$(head -n1 "$file" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$(ps -o args= -p "$pid" 2>/dev/null || true)" == *"$word"* ]] || return 1
  echo "$pid"
}

# Waits up to $2 seconds for pid $1 to exit.
wait_exit() {
  local pid="$1" i
  for i in $(seq $(($2 * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  ! kill -0 "$pid" 2>/dev/null
}

elsewhere_root() { echo "/var/tmp/warta-cluster-$(echo -n "$CLUSTER" | md5sum | cut -c1-12)"; }

# A folder USER (postgres, nobody) can enter, as $CLUSTER/NAME: when this
# checkout sits where that user cannot go (a home folder), it lives under
# /var/tmp with a link here, as scripts/services.sh does for Postgres.
reachable_dir() {
  local name="$1" user_cmd=("${@:2}") dir="$CLUSTER/$1" elsewhere
  if [ -L "$dir" ]; then readlink -f "$dir"; return; fi
  mkdir -p "$CLUSTER"
  chmod 755 "$CLUSTER"
  if is_root && ! "${user_cmd[@]}" test -x "$CLUSTER" 2>/dev/null && [ ! -e "$dir" ]; then
    elsewhere="$(elsewhere_root)/$name"
    mkdir -p "$elsewhere"
    chmod 755 "$(dirname "$elsewhere")"
    ln -s "$elsewhere" "$dir"
    echo "$elsewhere"; return
  fi
  echo "$dir"
}

# ------------------------------------------------------ the processes, by kind
# shellcheck source=scripts/lib/cluster-postgres.sh
. "$ROOT/scripts/lib/cluster-postgres.sh"
# shellcheck source=scripts/lib/cluster-redis.sh
. "$ROOT/scripts/lib/cluster-redis.sh"
# shellcheck source=scripts/lib/cluster-nginx.sh
. "$ROOT/scripts/lib/cluster-nginx.sh"
# shellcheck source=scripts/lib/cluster-warta.sh
. "$ROOT/scripts/lib/cluster-warta.sh"

# -------------------------------------------------------------- the commands
need_tools() {
  local missing=()
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]} with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { as_root apt-get update -q >/dev/null 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } \
    || die "please install: ${missing[*]} (for example: sudo apt-get install ${missing[*]})"
}

# Every port whose process is not running must be free, before anything starts.
check_ports() {
  local infra_only="$1" busy=() n port name
  pg_pid primary >/dev/null || ! port_busy "$PG_PORT" || busy+=("$PG_PORT (Postgres primary, CLUSTER_PG_PORT)")
  pg_pid replica >/dev/null || ! port_busy "$REPLICA_PORT" || busy+=("$REPLICA_PORT (Postgres replica, CLUSTER_PG_REPLICA_PORT)")
  for n in $(seq "$REDIS_NODES"); do
    redis_pid "$n" >/dev/null && continue
    port="$(redis_port "$n")"
    ! port_busy "$port" || busy+=("$port (redis$n, CLUSTER_REDIS_PORT)")
    ! port_busy $((port + 10000)) || busy+=("$((port + 10000)) (redis$n's cluster bus, CLUSTER_REDIS_PORT + 10000)")
  done
  session_redis_pid >/dev/null || ! port_busy "$SESSION_REDIS_PORT" \
    || busy+=("$SESSION_REDIS_PORT (the sessions' Redis, CLUSTER_SESSION_REDIS_PORT)")
  nginx_pid >/dev/null || ! port_busy "$HTTP_PORT" || busy+=("$HTTP_PORT (nginx, CLUSTER_PORT)")
  if [ "$infra_only" = 0 ]; then
    for name in $(web_names); do
      warta_pid "$name" >/dev/null || ! port_busy "$(web_port "$name")" || busy+=("$(web_port "$name") ($name, CLUSTER_WEB_PORTS)")
    done
  fi
  [ ${#busy[@]} -eq 0 ] && return
  printf 'cluster: error: port taken by another program: %s\n' "${busy[@]}" >&2
  die "free the port(s) or choose others with the variables named (a new choice for Postgres or Redis needs \`scripts/cluster.sh clean\`)"
}

start_all() {
  local infra_only=0 name
  for arg in "$@"; do
    case "$arg" in
      --infra-only) infra_only=1 ;;
      *) die "start: unknown option $arg (--infra-only)" ;;
    esac
  done
  [ "$infra_only" = 1 ] || need_warta
  need_tools
  check_ports "$infra_only"
  mkdir -p "$LOGS" "$RUN"
  save_settings
  start_primary
  start_replica
  wait_streaming
  check_replication
  start_redis_cluster
  start_session_redis
  wrk_path >/dev/null || log "no wrk (the cluster tests need it): \`scripts/cluster.sh wrk-path\` tries again"
  if [ "$infra_only" = 0 ]; then
    migrate
    for name in worker $(web_names); do launch_warta "$name"; done
    for name in worker $(web_names); do wait_warta "$name"; done
  fi
  start_nginx
  if [ "$infra_only" = 0 ]; then
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$HTTP_PORT/readyz" || true)"
    [ "$code" = 200 ] || die "http://127.0.0.1:$HTTP_PORT/readyz through nginx answered ${code:-nothing} (log: $LOGS/nginx-error.log)"
    log "ready: http://127.0.0.1:$HTTP_PORT (\`make cluster-stop\` stops it)"
  else
    log "infrastructure ready (--infra-only: no warta processes)"
  fi
  print_env
}

stop_all() {
  local name
  for name in $(web_names) worker; do stop_warta "$name"; done
  rm -f "$RUN/web.running"
  stop_nginx
  # The primary first: a clean shutdown sends its last WAL to the replica.
  if [ -e "$CLUSTER/postgres" ] && [ -n "$(pg_bindir)" ]; then
    pg_stop primary
    pg_stop replica
  fi
  stop_redis_all
  stop_session_redis
  log "stopped"
}

status_line() { printf '%-8s %-8s %-9s %-16s %s\n' "$@"; }

status() {
  local down=0 name pid n extra role code
  status_line NAME STATE PID ADDRESS DETAILS
  for name in primary replica; do
    if pid="$(pg_pid "$name")"; then
      if [ "$name" = primary ]; then
        extra="$(psql_on primary -d postgres -tAq -F ' ' -c "SELECT 'replica ' || state || ', replay lag ' ||
          coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) || ' bytes' FROM pg_stat_replication
          WHERE application_name = 'replica'" 2>/dev/null || true)"
        extra="${extra:-no replica connected}"
      else
        extra="$(psql_on replica -d postgres -tAq -c "SELECT CASE WHEN pg_is_in_recovery() THEN 'hot standby, ' ||
          coalesce((SELECT status FROM pg_stat_wal_receiver), 'no wal receiver') ELSE 'NOT in recovery' END" 2>/dev/null || true)"
      fi
      status_line "$name" running "$pid" "127.0.0.1:$(pg_port "$name")" "$extra"
    else
      status_line "$name" stopped - "127.0.0.1:$(pg_port "$name")" ""; down=1
    fi
  done
  for n in $(seq "$REDIS_NODES"); do
    if pid="$(redis_pid "$n")"; then
      role="$(redis_role "$n" || echo '?')"
      status_line "redis$n" running "$pid" "127.0.0.1:$(redis_port "$n")" "$role, cluster_state $(redis_info "$n" cluster_state)"
    else
      status_line "redis$n" stopped - "127.0.0.1:$(redis_port "$n")" ""; down=1
    fi
  done
  if pid="$(session_redis_pid)"; then
    status_line sessions running "$pid" "127.0.0.1:$SESSION_REDIS_PORT" "the sessions' Redis"
  else
    status_line sessions stopped - "127.0.0.1:$SESSION_REDIS_PORT" ""; down=1
  fi
  if pid="$(nginx_pid)"; then
    status_line nginx running "$pid" "127.0.0.1:$HTTP_PORT" ""
  else
    status_line nginx stopped - "127.0.0.1:$HTTP_PORT" ""; down=1
  fi
  for name in $(web_names); do
    if pid="$(warta_pid "$name")"; then
      code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(web_port "$name")/readyz" || true)"
      status_line "$name" running "$pid" "127.0.0.1:$(web_port "$name")" "/readyz ${code:-no answer}"
    else
      status_line "$name" stopped - "127.0.0.1:$(web_port "$name")" ""; down=1
    fi
  done
  if pid="$(warta_pid worker)"; then status_line worker running "$pid" - ""; else status_line worker stopped - - ""; down=1; fi
  return $((down * 3))
}

check() {
  local n key value code port=""
  pg_pid primary >/dev/null && pg_pid replica >/dev/null || die "Postgres is not running (primary and replica)"
  wait_streaming
  check_replication
  psql_on replica -d "$PG_DB" -tAq -c "SELECT 1" >/dev/null || die "psql on the replica failed"
  wait_redis_ok 5 || die "a Redis node does not say cluster_state:ok"
  for n in $(seq "$REDIS_NODES"); do redis_pid "$n" >/dev/null && { port="$(redis_port "$n")"; break; }; done
  [ -n "$port" ] || die "no Redis node is running"
  for n in $(seq 9); do
    key="cluster-check:$n" value="v$RANDOM"
    redis-cli -c -h 127.0.0.1 -p "$port" set "$key" "$value" ex 60 >/dev/null
    [ "$(redis-cli -c -h 127.0.0.1 -p "$port" get "$key")" = "$value" ] || die "redis-cli -c set/get $key failed"
  done
  log "Redis Cluster: set/get of 9 keys through redis-cli -c works (cluster_state ok on every running node)"
  if nginx_pid >/dev/null; then
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$HTTP_PORT/readyz" || true)"
    log "nginx: http://127.0.0.1:$HTTP_PORT/readyz answered ${code:-nothing}"
  fi
}

# NAME: primary replica redisN nginx webN worker
valid_name() {
  case "$1" in
    primary|replica|nginx|worker) return 0 ;;
    redis[0-9]*) [ "${1#redis}" -ge 1 ] 2>/dev/null && [ "${1#redis}" -le "$REDIS_NODES" ] ;;
    web[0-9]*) [ "${1#web}" -ge 1 ] 2>/dev/null && [ "${1#web}" -le "${#WEB_PORT_LIST[@]}" ] ;;
    *) return 1 ;;
  esac
}
names() { echo "primary replica $(seq -f 'redis%g' -s ' ' "$REDIS_NODES") nginx $(web_names | tr '\n' ' ')worker"; }
need_name() { valid_name "${1:-}" || die "unknown process \`${1:-}\`: one of $(names)"; }

start_one() {
  need_name "$1"
  mkdir -p "$LOGS" "$RUN"
  case "$1" in
    primary) start_primary ;;
    replica)
      start_replica
      if pg_pid primary >/dev/null; then
        wait_streaming
        log "the replica is streaming and caught up"
      else
        log "the primary is down: the replica serves reads, and streams once the primary is back"
      fi ;;
    redis*)
      start_redis "${1#redis}"
      wait_redis_ok 30 || die "the Redis Cluster is not ok 30 s after starting $1"
      # A replica (a master that was failed over comes back as one): synced.
      local i
      for i in $(seq 300); do [[ "$(redis_role "${1#redis}")" =~ master|link\ up ]] && break; sleep 0.1; done
      log "$1 is up: $(redis_role "${1#redis}"), cluster_state ok" ;;
    nginx) start_nginx ;;
    web*|worker) launch_warta "$1"; wait_warta "$1" ;;
  esac
}

stop_one() {
  need_name "$1"
  case "$1" in
    primary|replica) pg_stop "$1" ;;
    redis*) stop_redis "${1#redis}" ;;
    nginx) stop_nginx ;;
    web*|worker) stop_warta "$1" ;;
  esac
}

kill_one() {
  local pid
  need_name "$1"
  case "$1" in
    primary|replica) pg_stop "$1" immediate ;;
    redis*) pid="$(redis_pid "${1#redis}")" && { log "SIGKILL $1"; kill -KILL "$pid"; wait_exit "$pid" 5 || true; } ;;
    nginx) pid="$(nginx_pid)" && { log "SIGKILL nginx"; pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid"; wait_exit "$pid" 5 || true; }
      rm -f "$RUN/nginx.running" ;;
    web*|worker) stop_warta "$1" KILL ;;
  esac
  return 0
}

log_path() {
  need_name "$1"
  case "$1" in
    nginx) echo "$LOGS/nginx-error.log" ;;
    *) echo "$LOGS/$1.log" ;;
  esac
}

usage() {
  sed -n '/^#   scripts/p' "${BASH_SOURCE[0]}" | sed 's/^#   /  /' >&2
  exit 2
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then start_one "$1"; else start_all "$@"; fi ;;
  stop) if [ $# -gt 0 ]; then stop_one "$1"; else stop_all; fi ;;
  restart) [ $# -eq 1 ] || usage; stop_one "$1"; start_one "$1" ;;
  kill) [ $# -eq 1 ] || usage; kill_one "$1" ;;
  status) status ;;
  env) print_env ;;
  check) check ;;
  stop-replica) stop_one replica ;;
  start-replica) start_one replica ;;
  stop-redis) [ $# -eq 1 ] || usage; stop_one "redis$1" ;;
  start-redis) [ $# -eq 1 ] || usage; start_one "redis$1" ;;
  failback-redis) [ $# -eq 1 ] || usage; need_name "redis$1"; failback_redis "$1" ;;
  wrk-path) wrk_path || die "no wrk: install it (sudo apt-get install wrk)" ;;
  psql) [ $# -ge 1 ] && { [ "$1" = primary ] || [ "$1" = replica ]; } || usage
    which="$1"; shift; psql_on "$which" -d "$PG_DB" "$@" ;;
  log) [ $# -eq 1 ] || usage; log_path "$1" ;;
  clean) stop_all; rm -rf "$CLUSTER" "$(elsewhere_root)"; log "deleted $CLUSTER" ;;
  *) usage ;;
esac
