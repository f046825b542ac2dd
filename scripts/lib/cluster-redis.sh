# shellcheck shell=bash
# Sourced by scripts/cluster.sh: the Redis Cluster's nodes, started,
# stopped, created as a cluster and failed back. Uses cluster.sh's settings
# (CLUSTER, LOGS, REDIS_NODES, REDIS_REPLICAS) and helpers (redis_port,
# pid_of, wait_exit), and common.sh's.
#
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
#
# The cache's nodes are given a memory limit (CLUSTER_REDIS_MB, 64 MB each)
# and evict the least recently used keys, as a production cache must: a
# flood of cache misses evicts cached values. Sessions and attempt budgets
# are on a Redis of their own beside the cluster (`sessions`,
# CLUSTER_SESSION_REDIS_PORT), never evicted and saved to disk (an
# append-only file), which no cache traffic reaches.
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
# A cache: nothing on disk but the cluster's own nodes.conf, a memory
# limit, and the least recently used keys evicted past it.
appendonly no
save ""
maxmemory ${CLUSTER_REDIS_MB:-64}mb
maxmemory-policy allkeys-lru
CONF
  redis-server "$dir/redis.conf" >/dev/null || die "redis$n did not start (log: $LOGS/redis$n.log)"
  for _ in $(seq 50); do redis_cli "$port" ping 2>/dev/null | grep -q PONG && return; sleep 0.1; done
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
  local timeout="${1:-30}" n ok
  for _ in $(seq $((timeout * 10))); do
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
  local n="$1"
  redis_pid "$n" >/dev/null || die "redis$n is not running"
  [ "$(redis_role "$n")" = master ] && { log "redis$n is a master already"; return; }
  redis_cli "$(redis_port "$n")" cluster failover >/dev/null
  for _ in $(seq 100); do [ "$(redis_role "$n")" = master ] && break; sleep 0.1; done
  [ "$(redis_role "$n")" = master ] || die "redis$n did not become a master"
  wait_redis_ok 30 || die "the Redis Cluster is not ok after the failback"
  log "redis$n is a master again"
}

# The sessions' Redis: one server beside the cache's cluster.
session_redis_dir() { echo "$CLUSTER/redis/sessions"; }
session_redis_pid() { pid_of "$(session_redis_dir)/redis.pid" redis-server; }

start_session_redis() {
  local dir
  dir="$(session_redis_dir)"
  session_redis_pid >/dev/null && return
  port_busy "$SESSION_REDIS_PORT" && die "port $SESSION_REDIS_PORT (the sessions' Redis) is taken by another program; set CLUSTER_SESSION_REDIS_PORT"
  mkdir -p "$dir" "$LOGS"
  cat >"$dir/redis.conf" <<CONF
# Written by scripts/cluster.sh at each start: sessions and attempt
# budgets, never evicted (a full server refuses writes rather than drop a
# session), kept on disk.
bind 127.0.0.1
port $SESSION_REDIS_PORT
protected-mode yes
daemonize yes
dir $dir
pidfile $dir/redis.pid
logfile $LOGS/redis-sessions.log
maxmemory-policy noeviction
appendonly yes
appendfsync everysec
CONF
  redis-server "$dir/redis.conf" >/dev/null || die "the sessions' Redis did not start (log: $LOGS/redis-sessions.log)"
  for _ in $(seq 50); do redis_cli "$SESSION_REDIS_PORT" ping 2>/dev/null | grep -q PONG && return; sleep 0.1; done
  tail -20 "$LOGS/redis-sessions.log" >&2
  die "the sessions' Redis did not start (log: $LOGS/redis-sessions.log)"
}

stop_session_redis() {
  local pid
  pid="$(session_redis_pid)" || return 0
  log "stopping the sessions' Redis"
  redis_cli "$SESSION_REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  wait_exit "$pid" 15 || { kill -9 "$pid" 2>/dev/null || true; }
}
