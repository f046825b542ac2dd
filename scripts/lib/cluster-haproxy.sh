# shellcheck shell=bash
# Sourced by scripts/cluster.sh: HAProxy in front of the Postgres nodes,
# the one address the warta processes know for each role:
#
#   127.0.0.1:CLUSTER_PG_PORT (55432)          the primary (DATABASE_URL)
#   127.0.0.1:CLUSTER_PG_REPLICA_PORT (55433)  a replica (DATABASE_REPLICA_URLS)
#
# Each port's servers are both nodes; HAProxy asks each node's Patroni
# every second (`OPTIONS /primary`, `OPTIONS /replica`: Patroni answers 200
# or 503 with the status line alone) and sends new connections only where
# the answer was 200, closing the connections of a server it marks down.
# So after a failover the app's pool reconnects to the new primary through
# the same URL: sqlx takes one host, not libpq's list of hosts. Uses
# cluster.sh's settings (CLUSTER, LOGS, RUN, PG_PORT, REPLICA_PORT, NOBODY)
# and helpers (pid_of, wait_exit), cluster-postgres.sh's (PG_NODES,
# node_port, rest_port) and common.sh's.

haproxy_bin() { command -v haproxy 2>/dev/null || { [ -x /usr/sbin/haproxy ] && echo /usr/sbin/haproxy; }; }
haproxy_pid() { pid_of "$RUN/haproxy.pid" haproxy; }

write_haproxy_config() {
  local file="$1" node servers=""
  for node in "${PG_NODES[@]}"; do
    servers+="    server $node 127.0.0.1:$(node_port "$node") check port $(rest_port "$node")"$'\n'
  done
  {
    cat <<CONF
# Written by scripts/cluster.sh at each start (cluster-haproxy.sh).
global
    maxconn 1000
    # In the foreground (-db), its log on stdout: .data/cluster/logs/haproxy.log.
    log stdout format iso local0 info
CONF
    # As root, it drops to nobody once its ports are bound.
    is_root && printf '    uid %s\n    gid %s\n' "$NOBODY" "$NOBODY"
    cat <<CONF

defaults
    mode tcp
    log global
    option tcplog
    option dontlognull
    retries 2
    timeout connect 2s
    timeout check 1s
    # Pooled connections sit idle for minutes (sqlx keeps them 5), the
    # worker's LISTEN connection for as long as no job comes.
    timeout client 1h
    timeout server 1h
    # A check each second (every 0.25 s while a server is down or changing
    # state): a dead primary is marked down within about 1.5 s, a new one
    # up within 0.25 s of Patroni promoting it.
    default-server inter 1s fastinter 250ms downinter 250ms fall 2 rise 1 on-marked-down shutdown-sessions

# Read-write: the node whose Patroni holds the leader key and runs Postgres
# as the primary.
listen primary
    bind 127.0.0.1:$PG_PORT
    option httpchk OPTIONS /primary
    http-check expect status 200
${servers}
# Read-only: replicas, the first one up taking every connection (balance
# first), so that the app's replica health check and its queries reach the
# same server (see DATABASE_REPLICA_URLS in the README).
listen replicas
    bind 127.0.0.1:$REPLICA_PORT
    balance first
    option httpchk OPTIONS /replica
    http-check expect status 200
${servers}
CONF
  } >"$file"
}

start_haproxy() {
  local dir="$CLUSTER/haproxy" cfg
  haproxy_pid >/dev/null && return
  port_busy "$PG_PORT" && die "port $PG_PORT (HAProxy's primary port) is taken by another program; set CLUSTER_PG_PORT"
  port_busy "$REPLICA_PORT" && die "port $REPLICA_PORT (HAProxy's replica port) is taken by another program; set CLUSTER_PG_REPLICA_PORT"
  [ -n "$(haproxy_bin)" ] || die "HAProxy is not installed (sudo apt-get install haproxy)"
  mkdir -p "$dir" "$LOGS" "$RUN"
  cfg="$dir/haproxy.cfg"
  write_haproxy_config "$cfg"
  "$(haproxy_bin)" -c -q -f "$cfg" || die "haproxy -c failed on $cfg"
  log "starting HAProxy: 127.0.0.1:$PG_PORT to the primary, 127.0.0.1:$REPLICA_PORT to a replica (log: $LOGS/haproxy.log)"
  echo "==== $(date -u +%FT%TZ) start" >>"$LOGS/haproxy.log"
  rm -f "$RUN/haproxy.pid"
  # shellcheck disable=SC2016 # $$, $0 and $@ are the inner shell's
  (exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$RUN/haproxy.pid" "$(haproxy_bin)" -db -f "$cfg") \
    >>"$LOGS/haproxy.log" 2>&1 </dev/null &
  for _ in $(seq 50); do
    port_busy "$PG_PORT" && port_busy "$REPLICA_PORT" && haproxy_pid >/dev/null && { touch "$RUN/haproxy.running"; return; }
    sleep 0.1
  done
  tail -20 "$LOGS/haproxy.log" >&2
  die "HAProxy does not listen on $PG_PORT and $REPLICA_PORT (log: $LOGS/haproxy.log)"
}

stop_haproxy() {
  local signal="${1:-TERM}" pid
  pid="$(haproxy_pid)" || { rm -f "$RUN/haproxy.pid" "$RUN/haproxy.running"; return 0; }
  log "stopping HAProxy (SIG$signal)"
  # SIGTERM: at once, closing the connections (a soft stop, SIGUSR1, would
  # wait for pooled connections to end).
  kill -"$signal" "$pid" 2>/dev/null || true
  wait_exit "$pid" 10 || { kill -KILL "$pid" 2>/dev/null || true; wait_exit "$pid" 5 || true; }
  rm -f "$RUN/haproxy.pid" "$RUN/haproxy.running"
}

# The node a new connection to 127.0.0.1:PORT reaches now, by the port the
# server says it listens on; nothing when none answers.
routed_to() {
  local port node
  port="$(PGCONNECT_TIMEOUT=2 "$(pg_bin psql)" -h 127.0.0.1 -p "$1" -U "$PG_USER" -d postgres -X -tAq \
    -c "SELECT inet_server_port()" 2>/dev/null || true)"
  for node in "${PG_NODES[@]}"; do
    [ "$port" = "$(node_port "$node")" ] && { echo "$node"; return 0; }
  done
  return 1
}

# Waits (SECONDS, 20) until HAProxy's primary port reaches the primary and,
# when a replica runs, its replica port a replica.
wait_routing() {
  local limit="${1:-20}" primary replica to_primary="" to_replica=""
  haproxy_pid >/dev/null || return 0
  for _ in $(seq $((limit * 5))); do
    primary="$(primary_node || true)" replica="$(replica_node || true)"
    to_primary="$(routed_to "$PG_PORT" || true)"
    to_replica="$(routed_to "$REPLICA_PORT" || true)"
    if [ -n "$primary" ] && [ "$to_primary" = "$primary" ] && { [ -z "$replica" ] || [ "$to_replica" = "$replica" ]; }; then
      return 0
    fi
    sleep 0.2
  done
  die "HAProxy does not route as Patroni says after ${limit} s: :$PG_PORT reaches ${to_primary:-nothing} (primary: ${primary:-none}), :$REPLICA_PORT reaches ${to_replica:-nothing} (replica: ${replica:-none}) (log: $LOGS/haproxy.log)"
}
