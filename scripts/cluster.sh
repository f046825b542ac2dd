#!/usr/bin/env bash
# A whole Warta cluster on one machine, under .data/cluster/ (git-ignored),
# started without root (`make cluster`; `make cluster-stop`):
#
#   etcd               127.0.0.1:52479 (CLUSTER_ETCD_PORT; its peer port the
#                      next): where Patroni keeps who leads
#   Postgres pg1, pg2  127.0.0.1:55434, 55435 (CLUSTER_PG_NODE_PORT, pg1's),
#                      each run by Patroni (REST API on 58434, 58435:
#                      CLUSTER_PATRONI_PORT). One is the primary, the other
#                      its synchronous standby; when the primary dies, the
#                      standby is promoted (~10 s: etcd's key lapses) and
#                      the old primary, started again, follows it (pg_rewind)
#   HAProxy            127.0.0.1:55432 (CLUSTER_PG_PORT) to whichever node is
#                      the primary, 127.0.0.1:55433 (CLUSTER_PG_REPLICA_PORT)
#                      to the replica, by asking each node's Patroni
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
# Why Patroni and etcd (Debian's patroni, etcd-server, etcd-client and
# haproxy packages, installed when missing): Patroni's REST API tells a
# load balancer which node is the primary and which a replica, so HAProxy
# gives the app one address per role and sqlx, which takes a single host,
# follows a failover by reconnecting. pg_auto_failover (also packaged)
# routes through libpq's multi-host URLs (target_session_attrs), which sqlx
# does not support, and needs a monitor Postgres of its own.
#
# The warta processes run WARTA_BIN (default target/release/warta: `make
# build`) and get DATABASE_URL (HAProxy's primary port), DATABASE_REPLICA_URLS
# (its replica port), REDIS_URL (every cluster node as comma-separated
# redis:// seed URLs), WARTA_SESSION_REDIS_URL (the sessions' Redis),
# WARTA_PUBLIC_URL=http://127.0.0.1:8080, a WARTA_SECRET
# made once (.data/cluster/secret), mail as .eml files in
# .data/cluster/outbox, media in .data/cluster/media (shared). Lines in
# .data/cluster/warta.env (WARTA_CONFIG_FILE) add settings for all of them;
# WARTA_*, RUST_* and LEPTOS_* in the caller's environment are passed on.
# Logs: .data/cluster/logs/NAME.log (pgN.log is Patroni's, pgN-postgres.log
# the server's own).
#
#   scripts/cluster.sh start [--infra-only]   start what is not running (idempotent);
#                                 --infra-only: no warta processes (no binary needed)
#   scripts/cluster.sh stop                   stop everything, gracefully
#   scripts/cluster.sh status                 one line per process (exit 3 if any is down)
#   scripts/cluster.sh env                    the URLs, as NAME=value lines
#   scripts/cluster.sh check                  Patroni's view, replication, HAProxy's
#                                             routing, Redis Cluster, nginx: verified now
#   scripts/cluster.sh members                Patroni's view: `name role state timeline lag`
#   scripts/cluster.sh start|stop|restart NAME   one process: pg1 pg2 etcd haproxy redisN
#                                                nginx webN worker; primary, replica: the
#                                                node in that role now (start: the stopped nodes)
#   scripts/cluster.sh kill NAME              crash it: SIGKILL (a Postgres node: its
#                                             Patroni and its postmaster)
#   scripts/cluster.sh stop-replica | start-replica | stop-redis N | start-redis N
#   scripts/cluster.sh failback-redis N       make node N a master again after a failover
#   scripts/cluster.sh wrk-path               print a wrk binary's path (fetched if needed)
#   scripts/cluster.sh psql primary|replica|pg1|pg2 [ARGS]   psql on the warta database
#   scripts/cluster.sh log NAME               print the log file's path
#   scripts/cluster.sh clean                  stop, then delete .data/cluster
#
# Ports are chosen at the first start (environment, else the defaults above)
# and remembered in .data/cluster/ports; a port that is taken stops the start
# with its name. As root, Postgres and Patroni run as the `postgres` user,
# HAProxy and nginx as `nobody`, as scripts/services.sh and
# scripts/validate-deploy.sh do.
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
NOBODY=65534

LOG_PREFIX=cluster
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/debian-tool.sh
. "$ROOT/scripts/lib/debian-tool.sh"

# ------------------------------------------------------------------ settings
# NAME=value lines in .data/cluster/ports, from the first start. The
# environment may change a port only while what uses it is not set up
# (Postgres, Patroni, etcd and Redis keep theirs in their data) or not
# running.
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

PG_PORT="$(setting PG_PORT CLUSTER_PG_PORT 55432 "$RUN/haproxy.running")"
REPLICA_PORT="$(setting REPLICA_PORT CLUSTER_PG_REPLICA_PORT 55433 "$RUN/haproxy.running")"
PG_NODE_PORT="$(setting PG_NODE_PORT CLUSTER_PG_NODE_PORT 55434 "$CLUSTER/postgres/pg1/PG_VERSION")"
PATRONI_PORT="$(setting PATRONI_PORT CLUSTER_PATRONI_PORT 58434 "$CLUSTER/postgres/pg1/PG_VERSION")"
ETCD_PORT="$(setting ETCD_PORT CLUSTER_ETCD_PORT 52479 "$CLUSTER/etcd/member")"
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
for port in "$PG_PORT" "$REPLICA_PORT" "$PG_NODE_PORT" "$PATRONI_PORT" "$ETCD_PORT" "$REDIS_PORT" \
  "$SESSION_REDIS_PORT" "$HTTP_PORT" ${WEB_PORTS//,/ }; do
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] && [ "$port" -lt 65535 ] || die "\`$port\` is not a port"
done
IFS=, read -r -a WEB_PORT_LIST <<<"$WEB_PORTS"
# Redis Cluster: three masters, each with CLUSTER_REDIS_REPLICAS replicas.
REDIS_NODES=$((3 * (1 + REDIS_REPLICAS)))
[ $((REDIS_PORT + REDIS_NODES - 1 + 10000)) -lt 65536 ] \
  || die "CLUSTER_REDIS_PORT=$REDIS_PORT: Redis's cluster bus needs each port + 10000 below 65536"

save_settings() {
  mkdir -p "$CLUSTER"
  printf '%s\n' "PG_PORT=$PG_PORT" "REPLICA_PORT=$REPLICA_PORT" "PG_NODE_PORT=$PG_NODE_PORT" \
    "PATRONI_PORT=$PATRONI_PORT" "ETCD_PORT=$ETCD_PORT" "REDIS_PORT=$REDIS_PORT" \
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
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  [[ "$(ps -o args= -p "$pid" 2>/dev/null || true)" == *"$word"* ]] || return 1
  echo "$pid"
}

# Whether pid $1 runs: a zombie has exited (a killed postmaster's parent is
# init, which may take a while to reap it).
alive() { kill -0 "$1" 2>/dev/null && [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]; }
# Waits up to $2 seconds for pid $1 to exit.
wait_exit() {
  local pid="$1" i
  for i in $(seq $(($2 * 10))); do alive "$pid" || return 0; sleep 0.1; done
  ! alive "$pid"
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
# shellcheck source=scripts/lib/cluster-etcd.sh
. "$ROOT/scripts/lib/cluster-etcd.sh"
# shellcheck source=scripts/lib/cluster-postgres.sh
. "$ROOT/scripts/lib/cluster-postgres.sh"
# shellcheck source=scripts/lib/cluster-haproxy.sh
. "$ROOT/scripts/lib/cluster-haproxy.sh"
# shellcheck source=scripts/lib/cluster-redis.sh
. "$ROOT/scripts/lib/cluster-redis.sh"
# shellcheck source=scripts/lib/cluster-nginx.sh
. "$ROOT/scripts/lib/cluster-nginx.sh"
# shellcheck source=scripts/lib/cluster-warta.sh
. "$ROOT/scripts/lib/cluster-warta.sh"

# -------------------------------------------------------------- the commands
need_tools() {
  local missing=() pkg
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  [ -n "$(patroni_bin)" ] || missing+=(patroni)
  [ -n "$(etcd_bin)" ] || missing+=(etcd-server)
  command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
  [ -n "$(haproxy_bin)" ] || missing+=(haproxy)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]} with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { as_root apt-get update -q >/dev/null 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } \
    || die "please install: ${missing[*]} (for example: sudo apt-get install ${missing[*]})"
  # The packages enable services of their own (etcd on :2379, HAProxy,
  # Patroni); the cluster runs its own copies, so the new ones are switched
  # off (where systemd runs at all).
  command -v systemctl >/dev/null 2>&1 || return 0
  for pkg in "${missing[@]}"; do
    case "$pkg" in etcd-server) pkg=etcd ;; haproxy|patroni) ;; *) continue ;; esac
    as_root systemctl disable --quiet "$pkg" >/dev/null 2>&1 || true
    as_root systemctl stop "$pkg" >/dev/null 2>&1 || true
  done
}

# Every port whose process is not running must be free, before anything starts.
check_ports() {
  local infra_only="$1" busy=() n port name
  etcd_pid >/dev/null || ! port_busy "$ETCD_PORT" || busy+=("$ETCD_PORT (etcd, CLUSTER_ETCD_PORT)")
  etcd_pid >/dev/null || ! port_busy $((ETCD_PORT + 1)) || busy+=("$((ETCD_PORT + 1)) (etcd's peers, CLUSTER_ETCD_PORT + 1)")
  for name in "${PG_NODES[@]}"; do
    patroni_pid "$name" >/dev/null && continue
    postmaster_pid "$name" >/dev/null || ! port_busy "$(node_port "$name")" \
      || busy+=("$(node_port "$name") (Postgres $name, CLUSTER_PG_NODE_PORT)")
    ! port_busy "$(rest_port "$name")" || busy+=("$(rest_port "$name") ($name's Patroni, CLUSTER_PATRONI_PORT)")
  done
  haproxy_pid >/dev/null || ! port_busy "$PG_PORT" || busy+=("$PG_PORT (HAProxy to the primary, CLUSTER_PG_PORT)")
  haproxy_pid >/dev/null || ! port_busy "$REPLICA_PORT" || busy+=("$REPLICA_PORT (HAProxy to the replica, CLUSTER_PG_REPLICA_PORT)")
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
  die "free the port(s) or choose others with the variables named (a new choice for Postgres, Patroni, etcd or Redis needs \`scripts/cluster.sh clean\`)"
}

start_all() {
  local infra_only=0 name
  for arg in "$@"; do
    case "$arg" in
      --infra-only) infra_only=1 ;;
      *) die "start: unknown option $arg (--infra-only)" ;;
    esac
  done
  legacy_pg_refuse
  [ "$infra_only" = 1 ] || need_warta
  need_tools
  check_ports "$infra_only"
  mkdir -p "$LOGS" "$RUN"
  save_settings
  start_etcd
  bring_up "${PG_NODES[@]}"
  ensure_database
  start_haproxy
  wait_routing 20
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
  local name primary
  for name in $(web_names) worker; do stop_warta "$name"; done
  rm -f "$RUN/web.running"
  stop_nginx
  stop_haproxy
  if [ -e "$CLUSTER/postgres" ] && [ -n "$(pg_bindir)" ]; then
    # The replica first: stopping the primary first would promote it.
    primary="$(primary_node || true)"
    for name in "${PG_NODES[@]}"; do [ "$name" = "$primary" ] || stop_node "$name"; done
    [ -z "$primary" ] || stop_node "$primary"
    legacy_pg_stop
  fi
  stop_etcd
  stop_redis_all
  stop_session_redis
  log "stopped"
}

status_line() { printf '%-8s %-8s %-9s %-16s %s\n' "$@"; }

status() {
  local down=0 name pid n extra role code
  status_line NAME STATE PID ADDRESS DETAILS
  if pid="$(etcd_pid)"; then
    extra="$(etcd_healthy && echo healthy || echo "not healthy")"
    status_line etcd running "$pid" "127.0.0.1:$ETCD_PORT" "$extra"
  else
    status_line etcd stopped - "127.0.0.1:$ETCD_PORT" ""; down=1
  fi
  for name in "${PG_NODES[@]}"; do
    if pid="$(patroni_pid "$name")"; then
      status_line "$name" running "$pid" "127.0.0.1:$(node_port "$name")" "$(node_details "$name")"
    else
      extra=""
      n="$(postmaster_pid "$name")" && extra="its Postgres runs without Patroni (pid $n)"
      status_line "$name" stopped - "127.0.0.1:$(node_port "$name")" "$extra"; down=1
    fi
  done
  if pid="$(haproxy_pid)"; then
    extra=":$PG_PORT reaches $(routed_to "$PG_PORT" || echo nothing), :$REPLICA_PORT reaches $(routed_to "$REPLICA_PORT" || echo nothing)"
    status_line haproxy running "$pid" "127.0.0.1:$PG_PORT" "$extra"
  else
    status_line haproxy stopped - "127.0.0.1:$PG_PORT" ""; down=1
  fi
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
  local n key value code port="" node primary replica to_primary to_replica
  etcd_pid >/dev/null || die "etcd is not running"
  etcd_healthy || die "etcd does not say it is healthy (log: $LOGS/etcd.log)"
  for node in "${PG_NODES[@]}"; do patroni_pid "$node" >/dev/null || die "$node is not running (\`scripts/cluster.sh start $node\`)"; done
  wait_synced 60
  primary="$(primary_node)" replica="$(replica_node)"
  log "Patroni: $(members | awk '{printf "%s%s %s (%s, timeline %s%s)", sep, $1, $2, $3, $4, ($5 == "-" ? "" : ", " $5 " bytes behind"); sep = "; "}')"
  check_replication
  psql_on replica -d "$PG_DB" -tAq -c "SELECT 1" >/dev/null || die "psql on the replica failed"
  haproxy_pid >/dev/null || die "HAProxy is not running (\`scripts/cluster.sh start haproxy\`)"
  to_primary="$(routed_to "$PG_PORT" || true)" to_replica="$(routed_to "$REPLICA_PORT" || true)"
  [ "$to_primary" = "$primary" ] || die "HAProxy's :$PG_PORT reaches ${to_primary:-nothing}, not the primary ($primary)"
  [ "$to_replica" = "$replica" ] || die "HAProxy's :$REPLICA_PORT reaches ${to_replica:-nothing}, not the replica ($replica)"
  log "HAProxy: 127.0.0.1:$PG_PORT reaches $primary (the primary), 127.0.0.1:$REPLICA_PORT reaches $replica (the replica)"
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

# NAME: primary replica pg1 pg2 etcd haproxy redisN nginx webN worker
valid_name() {
  case "$1" in
    primary|replica|pg1|pg2|etcd|haproxy|nginx|worker) return 0 ;;
    redis[0-9]*) [ "${1#redis}" -ge 1 ] 2>/dev/null && [ "${1#redis}" -le "$REDIS_NODES" ] ;;
    web[0-9]*) [ "${1#web}" -ge 1 ] 2>/dev/null && [ "${1#web}" -le "${#WEB_PORT_LIST[@]}" ] ;;
    *) return 1 ;;
  esac
}
names() { echo "primary replica pg1 pg2 etcd haproxy $(seq -f 'redis%g' -s ' ' "$REDIS_NODES") nginx $(web_names | tr '\n' ' ')worker"; }
need_name() { valid_name "${1:-}" || die "unknown process \`${1:-}\`: one of $(names)"; }
# The node in ROLE now (primary, replica), or a message and failure.
role_node() { pg_node "$1" || { log "no Postgres node is the $1 now ($(members 2>/dev/null | tr '\n' ';' || true))"; return 1; }; }

start_one() {
  local stopped=() node
  need_name "$1"
  mkdir -p "$LOGS" "$RUN"
  case "$1" in
    primary|replica)
      # A stopped node has no role: start every stopped one.
      for node in "${PG_NODES[@]}"; do patroni_pid "$node" >/dev/null || stopped+=("$node"); done
      [ ${#stopped[@]} -gt 0 ] || log "pg1 and pg2 run already"
      bring_up "${stopped[@]}" ;;
    pg1|pg2) bring_up "$1" ;;
    etcd) start_etcd ;;
    haproxy) start_haproxy; wait_routing 20 ;;
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
  local node
  need_name "$1"
  case "$1" in
    primary|replica) node="$(role_node "$1")" || return 0; stop_node "$node" ;;
    pg1|pg2) stop_node "$1" ;;
    etcd) stop_etcd ;;
    haproxy) stop_haproxy ;;
    redis*) stop_redis "${1#redis}" ;;
    nginx) stop_nginx ;;
    web*|worker) stop_warta "$1" ;;
  esac
}

kill_one() {
  local pid node
  need_name "$1"
  case "$1" in
    primary|replica) node="$(role_node "$1")" || return 0; kill_node "$node" ;;
    pg1|pg2) kill_node "$1" ;;
    etcd) stop_etcd KILL ;;
    haproxy) stop_haproxy KILL ;;
    redis*) pid="$(redis_pid "${1#redis}")" && { log "SIGKILL $1"; kill -KILL "$pid"; wait_exit "$pid" 5 || true; } ;;
    nginx) pid="$(nginx_pid)" && { log "SIGKILL nginx"; pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid"; wait_exit "$pid" 5 || true; }
      rm -f "$RUN/nginx.running" ;;
    web*|worker) stop_warta "$1" KILL ;;
  esac
  return 0
}

log_path() {
  local node
  need_name "$1"
  case "$1" in
    primary|replica) node="$(role_node "$1")" || exit 1; echo "$LOGS/$node.log" ;;
    nginx) echo "$LOGS/nginx-error.log" ;;
    *) echo "$LOGS/$1.log" ;;
  esac
}

usage() {
  sed -n '/^#   scripts/,/^#$/p' "${BASH_SOURCE[0]}" | sed -e '/^#$/d' -e 's/^#   /  /' >&2
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
  members) members || die "no Patroni answers (\`scripts/cluster.sh start\`)" ;;
  stop-replica) stop_one replica ;;
  start-replica) start_one replica ;;
  stop-redis) [ $# -eq 1 ] || usage; stop_one "redis$1" ;;
  start-redis) [ $# -eq 1 ] || usage; start_one "redis$1" ;;
  failback-redis) [ $# -eq 1 ] || usage; need_name "redis$1"; failback_redis "$1" ;;
  wrk-path) wrk_path || die "no wrk: install it (sudo apt-get install wrk)" ;;
  psql) [ $# -ge 1 ] && [[ "$1" =~ ^(primary|replica|pg1|pg2)$ ]] || usage
    which="$1"; shift; psql_on "$which" -d "$PG_DB" "$@" ;;
  log) [ $# -eq 1 ] || usage; log_path "$1" ;;
  clean) stop_all; rm -rf "$CLUSTER" "$(elsewhere_root)"; log "deleted $CLUSTER" ;;
  *) usage ;;
esac
