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
#   nginx              127.0.0.1:8080 (CLUSTER_PORT), deploy/nginx/render-cluster.sh
#   web1, web2         127.0.0.1:3101, 3102 (CLUSTER_WEB_PORTS="3101,3102"):
#                      `warta serve`, WARTA_INLINE_WORKER=false
#   worker             `warta worker`
#
# The warta processes run WARTA_BIN (default target/release/warta: `make
# build`) and get DATABASE_URL (the primary), DATABASE_REPLICA_URLS (the
# replica; comma-separated), REDIS_URL (every cluster node as comma-separated
# redis:// seed URLs), WARTA_PUBLIC_URL=http://127.0.0.1:8080, a WARTA_SECRET
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
for port in "$PG_PORT" "$REPLICA_PORT" "$REDIS_PORT" "$HTTP_PORT" ${WEB_PORTS//,/ }; do
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
    "REDIS_REPLICAS=$REDIS_REPLICAS" "HTTP_PORT=$HTTP_PORT" "WEB_PORTS=$WEB_PORTS" "WARTA_BIN=$WARTA_BIN" >"$STATE"
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

# ------------------------------------------------------------------ Postgres
# The newest /usr/lib/postgresql/*/bin (Debian keeps initdb and postgres
# there, off PATH), else the folder of pg_ctl on PATH.
pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  command -v pg_ctl >/dev/null 2>&1 && dirname "$(readlink -f "$(command -v pg_ctl)")"
}
# One Postgres program: from that folder, else from PATH.
pg_bin() {
  local dir
  dir="$(pg_bindir)"
  if [ -n "$dir" ] && [ -x "$dir/$1" ]; then echo "$dir/$1"
  elif command -v "$1" >/dev/null 2>&1; then command -v "$1"
  else die "$1 (Postgres) is not installed (\`make services\` installs Postgres)"
  fi
}

# Postgres refuses to run as root: as root it runs as the `postgres` user.
pg_run() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
PG_ROOT=""
pg_root() {
  if [ -z "$PG_ROOT" ]; then
    if is_root; then
      PG_ROOT="$(reachable_dir postgres runuser -u postgres --)"
      mkdir -p "$PG_ROOT"
      chown postgres "$PG_ROOT"
    else
      PG_ROOT="$CLUSTER/postgres"
      mkdir -p "$PG_ROOT"
    fi
  fi
  echo "$PG_ROOT"
}
pg_dir() { echo "$(pg_root)/$1"; }
pg_port() { if [ "$1" = primary ]; then echo "$PG_PORT"; else echo "$REPLICA_PORT"; fi; }
pg_pid() { pid_of "$CLUSTER/postgres/$1/postmaster.pid" postgres; }
psql_on() {
  local which="$1"; shift
  "$(pg_bin psql)" -h 127.0.0.1 -p "$(pg_port "$which")" -U "$PG_USER" -X -v ON_ERROR_STOP=1 "$@"
}

pg_log() {
  # The server writes its log as the user it runs as; linked from logs/.
  local file
  file="$(pg_root)/$1.log"
  mkdir -p "$LOGS"
  [ -e "$LOGS/$1.log" ] || ln -sf "$file" "$LOGS/$1.log"
  echo "$file"
}

pg_start() {
  local which="$1" dir port logfile
  dir="$(pg_dir "$which")" port="$(pg_port "$which")"
  pg_pid "$which" >/dev/null && return
  port_busy "$port" && die "port $port (the Postgres $which) is taken by another program; \
$([ "$which" = primary ] && echo CLUSTER_PG_PORT || echo CLUSTER_PG_REPLICA_PORT) chooses another before the first start"
  logfile="$(pg_log "$which")"
  log "starting the Postgres $which on 127.0.0.1:$port"
  pg_run "$(pg_bin pg_ctl)" -D "$dir" -l "$logfile" -w -t 120 start >/dev/null \
    || { tail -20 "$logfile" >&2; die "the Postgres $which did not start (log: $logfile)"; }
}

pg_stop() {
  local which="$1" mode="${2:-fast}" dir
  dir="$CLUSTER/postgres/$which"
  pg_pid "$which" >/dev/null || return 0
  log "stopping the Postgres $which ($mode)"
  pg_run "$(pg_bin pg_ctl)" -D "$(readlink -f "$dir")" -m "$mode" -w -t 60 stop >/dev/null
}

start_primary() {
  local dir
  dir="$(pg_dir primary)"
  if [ ! -s "$dir/PG_VERSION" ]; then
    log "initialising the Postgres primary in $dir"
    mkdir -p "$dir"
    is_root && chown postgres "$dir"
    chmod 700 "$dir"
    pg_run "$(pg_bin initdb)" -D "$dir" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >/dev/null
    # The replica starts as a copy of this file (pg_basebackup), then gets
    # its own port below. hot_standby and the feedback only matter there.
    cat >>"$dir/postgresql.conf" <<CONF
# Warta's local cluster (scripts/cluster.sh): the primary.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
max_connections = 200
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
# A stopped replica keeps WAL on the primary through its slot, up to this.
max_slot_wal_keep_size = 2GB
hot_standby = on
hot_standby_feedback = on
synchronous_commit = off
default_toast_compression = lz4
shared_preload_libraries = 'pg_stat_statements'
CONF
    cat >>"$dir/pg_hba.conf" <<HBA
# The replica streams from here (scripts/cluster.sh).
host replication $PG_USER 127.0.0.1/32 trust
HBA
  fi
  pg_start primary
  [ "$(psql_on primary -d postgres -tAq -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" = 1 ] \
    || psql_on primary -d postgres -q -c "CREATE DATABASE $PG_DB"
}

start_replica() {
  local dir
  dir="$(pg_dir replica)"
  if [ ! -s "$dir/PG_VERSION" ]; then
    pg_pid primary >/dev/null || die "the Postgres primary is not running: \`scripts/cluster.sh start primary\`"
    log "copying the primary into $dir (pg_basebackup -R)"
    rm -rf "$dir"
    psql_on primary -d postgres -q -c \
      "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
    pg_run "$(pg_bin pg_basebackup)" -d "host=127.0.0.1 port=$PG_PORT user=$PG_USER application_name=replica" \
      -D "$dir" -R -X stream -c fast -C -S "$SLOT" \
      || die "pg_basebackup failed"
    cat >>"$dir/postgresql.conf" <<CONF
# The replica (scripts/cluster.sh): a hot standby, streaming from 127.0.0.1:$PG_PORT
# (primary_conninfo and standby.signal are pg_basebackup -R's).
port = $REPLICA_PORT
hot_standby = on
CONF
  fi
  pg_start replica
}

# Waits until the primary reports the replica streaming and it has replayed
# everything the primary had written when this began.
wait_streaming() {
  local i row target
  target="$(psql_on primary -d postgres -tAq -c "SELECT pg_current_wal_lsn()")"
  for i in $(seq 600); do
    row="$(psql_on primary -d postgres -tAq -c "SELECT state || ' ' || (replay_lsn >= '$target')
      FROM pg_stat_replication WHERE application_name = 'replica'" 2>/dev/null || true)"
    [ "$row" = "streaming true" ] && return 0
    sleep 0.1
  done
  die "the replica is not streaming and caught up after 60 s (${row:-not connected}; primary_conninfo in $(pg_dir replica)/postgresql.auto.conf; log: $LOGS/replica.log)"
}

# A table made on the primary must appear on the replica.
check_replication() {
  local token i
  token="probe_$(date +%s%N)"
  psql_on primary -d postgres -q -c \
    "SET client_min_messages = warning; DROP TABLE IF EXISTS cluster_probe; CREATE TABLE cluster_probe AS SELECT '$token'::text AS token, now() AS at" >/dev/null
  for i in $(seq 300); do
    if [ "$(psql_on replica -d postgres -tAq -c "SELECT token FROM cluster_probe" 2>/dev/null || true)" = "$token" ]; then
      [ "$(psql_on replica -d "$PG_DB" -tAq -c "SELECT pg_is_in_recovery()")" = t ] || die "the replica is not in recovery"
      log "replication works: a table made on the primary appeared on the replica after ~$((i * 100)) ms"
      psql_on primary -d postgres -P footer=off -c "SELECT application_name, client_addr, state, sync_state,
          pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS replay_lag_bytes, replay_lag
        FROM pg_stat_replication" >&2
      return 0
    fi
    sleep 0.1
  done
  die "a table made on the primary did not reach the replica in 30 s (log: $LOGS/replica.log)"
}

# --------------------------------------------------------------------- Redis
# Three masters, by default each with a replica (CLUSTER_REDIS_REPLICAS=1).
# For "one Redis master is stopped: pages still render and no request
# hangs; it recovers when the master returns or fails over", replicas are
# the better cluster: while the master is down (cluster-node-timeout, 2 s,
# plus the election, about 3-4 s in all) a third of the slots fail and the
# app must degrade to Postgres, as with no replicas at all; then its
# replica takes over and the app must follow the new slot map (MOVED, a
# refreshed topology), which is what a production Redis Cluster does. The
# returning node rejoins as a replica (`failback-redis N` makes it a master
# again). Without replicas, the slots stay down until the master returns,
# empty (nothing is saved on disk). Either way
# `cluster-require-full-coverage no` keeps the keys on the surviving
# masters working while a master's slots are uncovered; with the default
# (yes) the whole cluster would refuse every command until the slots are
# served again.
redis_dir() { echo "$CLUSTER/redis/$1"; }
redis_cli() { local port="$1"; shift; redis-cli -h 127.0.0.1 -p "$port" "$@"; }
redis_pid() { pid_of "$(redis_dir "$1")/redis.pid" redis-server; }
redis_info() { redis_cli "$(redis_port "$1")" cluster info 2>/dev/null | tr -d '\r' | grep "^$2:" | cut -d: -f2; }

start_redis() {
  local n="$1" dir port
  dir="$(redis_dir "$n")" port="$(redis_port "$n")"
  [ "$n" -ge 1 ] && [ "$n" -le "$REDIS_NODES" ] || die "no Redis node $n (1-$REDIS_NODES)"
  redis_pid "$n" >/dev/null && return
  port_busy "$port" && die "port $port (redis$n) is taken by another program; set CLUSTER_REDIS_PORT"
  port_busy $((port + 10000)) && die "port $((port + 10000)) (redis$n's cluster bus) is taken by another program; set CLUSTER_REDIS_PORT"
  mkdir -p "$dir" "$LOGS"
  cat >"$dir/redis.conf" <<CONF
# Written by scripts/cluster.sh at each start.
bind 127.0.0.1
port $port
protected-mode yes
daemonize yes
dir $dir
pidfile $dir/redis.pid
logfile $LOGS/redis$n.log
cluster-enabled yes
cluster-config-file $dir/nodes.conf
# Fails over within a few seconds of a master going away.
cluster-node-timeout 2000
# Keys on the surviving masters keep working while one master's slots are
# not served (the default, yes, stops the whole cluster).
cluster-require-full-coverage no
# A cache: nothing on disk but the cluster's own nodes.conf.
appendonly no
save ""
CONF
  redis-server "$dir/redis.conf" >/dev/null || die "redis$n did not start (log: $LOGS/redis$n.log)"
  local i
  for i in $(seq 50); do redis_cli "$port" ping 2>/dev/null | grep -q PONG && return; sleep 0.1; done
  tail -20 "$LOGS/redis$n.log" >&2
  die "redis$n did not start (log: $LOGS/redis$n.log)"
}

stop_redis() {
  local n="$1" pid
  pid="$(redis_pid "$n")" || return 0
  log "stopping redis$n"
  redis_cli "$(redis_port "$n")" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  wait_exit "$pid" 15 || { kill -9 "$pid" 2>/dev/null || true; }
}

# The whole Redis Cluster: replicas first, then masters, each group at once,
# so that no replica is promoted while its master goes away and the next
# start finds the same layout.
stop_redis_all() {
  local group n pid pids
  for group in replica master; do
    pids=()
    for n in $(seq "$REDIS_NODES"); do
      pid="$(redis_pid "$n")" || continue
      [[ "$(redis_role "$n" || echo replica)" == "$group"* ]] || continue
      log "stopping redis$n ($group)"
      redis_cli "$(redis_port "$n")" shutdown nosave >/dev/null 2>&1 &
      pids+=("$pid")
    done
    wait
    for pid in ${pids[@]+"${pids[@]}"}; do wait_exit "$pid" 15 || { kill -9 "$pid" 2>/dev/null || true; }; done
  done
}

# Waits until every running node says cluster_state:ok (SECONDS, 30).
wait_redis_ok() {
  local timeout="${1:-30}" i n ok
  for i in $(seq $((timeout * 10))); do
    ok=1
    for n in $(seq "$REDIS_NODES"); do
      redis_pid "$n" >/dev/null || continue
      [ "$(redis_info "$n" cluster_state)" = ok ] || { ok=0; break; }
    done
    [ "$ok" = 1 ] && return 0
    sleep 0.1
  done
  return 1
}

start_redis_cluster() {
  local n addresses=()
  for n in $(seq "$REDIS_NODES"); do start_redis "$n"; addresses+=("127.0.0.1:$(redis_port "$n")"); done
  if [ "$(redis_info 1 cluster_known_nodes)" = 1 ] && [ "$(redis_info 1 cluster_slots_assigned)" = 0 ]; then
    log "creating the Redis Cluster: 3 masters, $REDIS_REPLICAS replica(s) each"
    redis-cli --cluster create "${addresses[@]}" --cluster-replicas "$REDIS_REPLICAS" --cluster-yes \
      >"$LOGS/redis-create.log" 2>&1 || { cat "$LOGS/redis-create.log" >&2; die "redis-cli --cluster create failed"; }
  fi
  wait_redis_ok 30 || { redis_cli "$(redis_port 1)" cluster info >&2 || true
    die "the Redis Cluster is not ok after 30 s (\`scripts/cluster.sh clean\` starts over)"; }
  log "Redis Cluster: cluster_state:ok, $(redis_info 1 cluster_known_nodes) nodes, $(redis_info 1 cluster_size) masters"
}

redis_role() {
  local port info
  port="$(redis_port "$1")"
  info="$(redis_cli "$port" info replication 2>/dev/null | tr -d '\r')" || return 1
  case "$(grep '^role:' <<<"$info" | cut -d: -f2)" in
    master) echo master ;;
    slave) echo "replica of 127.0.0.1:$(grep '^master_port:' <<<"$info" | cut -d: -f2) (link $(grep '^master_link_status:' <<<"$info" | cut -d: -f2))" ;;
    *) return 1 ;;
  esac
}

failback_redis() {
  local n="$1" i
  redis_pid "$n" >/dev/null || die "redis$n is not running"
  [ "$(redis_role "$n")" = master ] && { log "redis$n is a master already"; return; }
  redis_cli "$(redis_port "$n")" cluster failover >/dev/null
  for i in $(seq 100); do [ "$(redis_role "$n")" = master ] && break; sleep 0.1; done
  [ "$(redis_role "$n")" = master ] || die "redis$n did not become a master"
  wait_redis_ok 30 || die "the Redis Cluster is not ok after the failback"
  log "redis$n is a master again"
}

# --------------------------------------------------------- tools: nginx, wrk
# Debian's package PKG unpacked into .data/tools/PKG without root
# (`apt-get download` + `dpkg -x`), as scripts/validate-deploy.sh does.

NGINX=""
nginx_bin() {
  if [ -z "$NGINX" ]; then
    NGINX="$(command -v nginx || true)"
    if [ -z "$NGINX" ]; then
      if [ -x "$TOOLS/nginx/usr/sbin/nginx" ] || debian_tool nginx; then NGINX="$TOOLS/nginx/usr/sbin/nginx"; fi
    fi
    [ -n "$NGINX" ] && "$NGINX" -v >/dev/null 2>&1 || die "no nginx (sudo apt-get install nginx), and Debian's package could not be unpacked"
  fi
  echo "$NGINX"
}

# wrk: the installed one, or Debian's unpacked with its LuaJIT behind a
# wrapper, .data/tools/bin/wrk. (`wrk -v` prints its version, exit code 1.)
wrk_runs() { local out; out="$("$1" -v 2>&1 || true)"; [[ "$out" == wrk* ]]; }
wrk_path() {
  local wrapper="$TOOLS/bin/wrk" binary="$TOOLS/wrk/usr/bin/wrk" libdir="" pkg
  if command -v wrk >/dev/null; then command -v wrk; return; fi
  if [ -x "$wrapper" ] && wrk_runs "$wrapper"; then echo "$wrapper"; return; fi
  debian_tool wrk || return 1
  local libs
  libs="$(ldd "$binary" 2>/dev/null || true)"
  if grep -q 'libluajit.*not found' <<<"$libs"; then
    for pkg in libluajit-5.1-2 libluajit2-5.1-2; do
      debian_tool "$pkg" || continue
      libdir="$(dirname "$(find "$TOOLS/$pkg" -name 'libluajit-5.1.so.2*' | head -n1)")"
      [ "$libdir" != . ] && break
      libdir=""
    done
    [ -n "$libdir" ] || { log "wrk needs LuaJIT, which could not be unpacked"; return 1; }
  fi
  mkdir -p "$TOOLS/bin"
  {
    echo '#!/bin/sh'
    echo '# Debian'"'"'s wrk, unpacked by scripts/cluster.sh (scripts/cluster.sh wrk-path).'
    [ -z "$libdir" ] || echo "LD_LIBRARY_PATH=\"$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\"; export LD_LIBRARY_PATH"
    echo "exec \"$binary\" \"\$@\""
  } >"$wrapper"
  chmod +x "$wrapper"
  wrk_runs "$wrapper" || { log "the unpacked wrk does not run here"; return 1; }
  echo "$wrapper"
}

# --------------------------------------------------------------------- nginx
# As root, nginx runs as nobody (as validate-deploy.sh runs it), in a
# prefix nobody owns, when nobody can run the binary (not when it was
# unpacked under a folder only root enters: then the master runs as root and
# its workers as nobody, as root's nginx does); otherwise as the user.
NGINX_PREFIX=""
nginx_prefix() {
  [ -n "$NGINX_PREFIX" ] || NGINX_PREFIX="$(reachable_dir nginx setpriv "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups)"
  echo "$NGINX_PREFIX"
}
nginx_as() {
  local user=(setpriv "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups)
  if is_root && command -v setpriv >/dev/null && "${user[@]}" "$1" -v 2>/dev/null; then "${user[@]}" "$@"; else "$@"; fi
}
nginx_cmd() {
  local prefix
  prefix="$(nginx_prefix)"
  nginx_as "$(nginx_bin)" -p "$prefix" -c "$prefix/conf/nginx.conf" -e "$prefix/logs/error.log" "$@"
}
nginx_pid() { pid_of "$CLUSTER/nginx/nginx.pid" nginx; }

start_nginx() {
  local prefix upstreams=() name i
  nginx_pid >/dev/null && return
  port_busy "$HTTP_PORT" && die "port $HTTP_PORT (nginx) is taken by another program; set CLUSTER_PORT"
  nginx_bin >/dev/null
  prefix="$(nginx_prefix)"
  for name in $(web_names); do upstreams+=("127.0.0.1:$(web_port "$name")"); done
  "$ROOT/deploy/nginx/render-cluster.sh" "$prefix" "$HTTP_PORT" "${upstreams[@]}" >/dev/null
  is_root && chmod 755 "$prefix" && chown -R "$NOBODY:$NOBODY" "$prefix"
  mkdir -p "$LOGS"
  ln -sfn "$prefix/logs/error.log" "$LOGS/nginx-error.log"
  ln -sfn "$prefix/logs/access.log" "$LOGS/nginx-access.log"
  log "starting nginx on 127.0.0.1:$HTTP_PORT in front of ${upstreams[*]}"
  nginx_cmd -t -q || die "nginx -t failed on $prefix/conf/nginx.conf"
  nginx_cmd || { tail -20 "$prefix/logs/error.log" >&2; die "nginx did not start"; }
  for i in $(seq 50); do port_busy "$HTTP_PORT" && { touch "$RUN/nginx.running"; return; }; sleep 0.1; done
  die "nginx does not listen on $HTTP_PORT (log: $prefix/logs/error.log)"
}

stop_nginx() {
  local pid
  pid="$(nginx_pid)" || { rm -f "$RUN/nginx.running"; return 0; }
  log "stopping nginx"
  nginx_cmd -s quit 2>/dev/null || kill -QUIT "$pid" 2>/dev/null || true
  wait_exit "$pid" 15 || { kill -TERM "$pid" 2>/dev/null || true; wait_exit "$pid" 5 || true; }
  rm -f "$RUN/nginx.running"
}

# --------------------------------------------------------------------- warta
need_warta() {
  [ -x "$WARTA_BIN" ] || die "$WARTA_BIN is missing: run \`make build\` first (or set WARTA_BIN; \`start --infra-only\` starts everything else)"
}

# What every warta process shares, made once, before any is started (they
# start in parallel): the secret, the settings file, mail and media folders.
prepare_warta() {
  mkdir -p "$CLUSTER/outbox" "$CLUSTER/media" "$LOGS" "$RUN"
  if [ ! -s "$CLUSTER/secret" ]; then
    (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$CLUSTER/secret.new")
    mv "$CLUSTER/secret.new" "$CLUSTER/secret"
  fi
  [ -e "$CLUSTER/warta.env" ] || printf '%s\n' \
    "# NAME=value lines for every warta process of the local cluster (WARTA_CONFIG_FILE)," \
    "# under what scripts/cluster.sh sets itself, e.g. WARTA_PAGE_CACHE_MS=0." >"$CLUSTER/warta.env"
}

# Becomes warta (exec: call it in a subshell) with the cluster's
# environment: a clean one, plus WARTA_*, RUST_* and LEPTOS_* from the
# caller's; the cluster's own settings win. prepare_warta has run.
exec_warta() {
  local vars=(PATH="$PATH" HOME="${HOME:-/}") name site
  for name in $(compgen -e); do
    case "$name" in WARTA_BIN|WARTA_DATA_DIR) ;; WARTA_*|RUST_*|LEPTOS_*) vars+=("$name=${!name}") ;; esac
  done
  # The built site beside the binary (target/release/warta: target/site).
  site="${LEPTOS_SITE_ROOT:-$(dirname "$(dirname "$WARTA_BIN")")/site}"
  case "$site" in /*) ;; *) site="$ROOT/$site" ;; esac
  vars+=(
    WARTA_CONFIG_FILE="$CLUSTER/warta.env"
    DATABASE_URL="postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
    DATABASE_REPLICA_URLS="postgres://$PG_USER@127.0.0.1:$REPLICA_PORT/$PG_DB"
    REDIS_URL="$(redis_seeds)"
    WARTA_PUBLIC_URL="http://127.0.0.1:$HTTP_PORT"
    # nginx, in front: its X-Forwarded-For names the reader.
    WARTA_TRUSTED_PROXIES=127.0.0.1
    WARTA_SECRET="$(cat "$CLUSTER/secret")"
    WARTA_BIND=127.0.0.1
    WARTA_OUTBOX_DIR="$CLUSTER/outbox"
    WARTA_MEDIA_URL="$CLUSTER/media"
    LEPTOS_SITE_ROOT="$site"
  )
  exec env -i "${vars[@]}" "$@"
}

warta_pid() { pid_of "$RUN/$1.pid" "$([ "$1" = worker ] && echo ' worker' || echo ' serve')"; }

migrate() {
  need_warta
  prepare_warta
  log "migrating the primary (warta migrate; log: $LOGS/migrate.log)"
  (cd "$CLUSTER" && exec_warta "$WARTA_BIN" migrate) >>"$LOGS/migrate.log" 2>&1 \
    || { tail -20 "$LOGS/migrate.log" >&2; die "warta migrate failed"; }
  if [ "${CLUSTER_SEED:-1}" != 0 ]; then
    log "seeding demo data when the database is empty (CLUSTER_SEED=0 skips)"
    (cd "$CLUSTER" && exec_warta "$WARTA_BIN" seed --if-empty --users 200 --articles 2000) >>"$LOGS/migrate.log" 2>&1 \
      || { tail -20 "$LOGS/migrate.log" >&2; die "warta seed failed"; }
  fi
}

# Starts webN or the worker in the background (no wait).
launch_warta() {
  local name="$1" extra=() command=serve
  need_warta
  warta_pid "$name" >/dev/null && return
  if [ "$name" = worker ]; then
    command=worker
  else
    local port
    port="$(web_port "$name")"
    port_busy "$port" && die "port $port ($name) is taken by another program; set CLUSTER_WEB_PORTS"
    extra=(PORT="$port" WARTA_INLINE_WORKER=false)
  fi
  prepare_warta
  log "starting $name (warta $command${extra:+ on 127.0.0.1:$(web_port "$name")}; log: $LOGS/$name.log)"
  echo "==== $(date -u +%FT%TZ) start" >>"$LOGS/$name.log"
  # setsid: a session of its own, so a Ctrl-C where `make cluster` ran
  # does not reach it; the pid file is written by the process itself. The
  # subshell execs all the way to warta and holds none of this script's
  # output open (`$(scripts/cluster.sh start)` returns).
  rm -f "$RUN/$name.pid"
  (cd "$CLUSTER" && exec_warta "${extra[@]}" setsid sh -c 'echo $$ >"$0"; exec "$@"' "$RUN/$name.pid" \
    "$WARTA_BIN" "$command") >>"$LOGS/$name.log" 2>&1 </dev/null &
  local i
  for i in $(seq 50); do [ -s "$RUN/$name.pid" ] && warta_pid "$name" >/dev/null && break; sleep 0.1; done
  [ "$command" = serve ] && touch "$RUN/web.running"
  return 0
}

# Waits for webN's /readyz to answer 200 (CLUSTER_READY_TIMEOUT, 60 s), or
# for the worker to stay up for 2 s.
wait_warta() {
  local name="$1" timeout="${CLUSTER_READY_TIMEOUT:-60}" i code
  if [ "$name" = worker ]; then
    sleep 2
    warta_pid worker >/dev/null || { tail -20 "$LOGS/worker.log" >&2; die "the worker exited (log: $LOGS/worker.log)"; }
    return
  fi
  for i in $(seq $((timeout * 5))); do
    warta_pid "$name" >/dev/null || { tail -20 "$LOGS/$name.log" >&2; die "$name exited (log: $LOGS/$name.log)"; }
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(web_port "$name")/readyz" || true)"
    [ "$code" = 200 ] && { log "$name is ready"; return; }
    sleep 0.2
  done
  tail -20 "$LOGS/$name.log" >&2
  [ "$code" = 000 ] && code="no answer"
  stop_warta "$name"
  die "$name: /readyz did not answer 200 in ${timeout} s (last: ${code:-no answer}), so it was stopped (log: $LOGS/$name.log)"
}

stop_warta() {
  local name="$1" signal="${2:-TERM}" pid
  pid="$(warta_pid "$name")" || { rm -f "$RUN/$name.pid"; return 0; }
  log "stopping $name (SIG$signal)"
  kill -"$signal" "$pid" 2>/dev/null || true
  # The worker lets running jobs go on for WARTA_WORKER_GRACE_SECS (10 s).
  if ! wait_exit "$pid" "${CLUSTER_STOP_TIMEOUT:-30}"; then
    log "$name did not exit in ${CLUSTER_STOP_TIMEOUT:-30} s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_exit "$pid" 5 || true
  fi
  rm -f "$RUN/$name.pid"
  echo "==== $(date -u +%FT%TZ) stopped (SIG$signal)" >>"$LOGS/$name.log"
}

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
