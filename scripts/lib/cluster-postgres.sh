# shellcheck shell=bash
# Sourced by scripts/cluster.sh: Postgres as two nodes, pg1 and pg2, each
# run by its own Patroni, which keeps the cluster's state in etcd
# (cluster-etcd.sh); HAProxy (cluster-haproxy.sh) sends the app to
# whichever node Patroni made the primary. Uses cluster.sh's settings
# (CLUSTER, LOGS, PG_NODE_PORT, PATRONI_PORT, ETCD_PORT, PG_USER, PG_DB)
# and helpers (pid_of, wait_exit, reachable_dir), and common.sh's.
#
# The first start makes pg1 with initdb (Patroni's bootstrap) and pg2 as
# its copy (pg_basebackup); afterwards both start from their data. The
# leader holds a key in etcd that lapses 10 s (ttl) after its last renewal
# (every second, loop_wait): a primary that dies is replaced within about
# that, by the synchronous standby only (synchronous_mode), so no commit
# the old primary acknowledged is missing on the new one. When the
# standby is away, the primary goes on alone (synchronous_mode_strict off:
# writes are not held up, and a failure then could lose them). A node that
# comes back after the others went on is rewound (pg_rewind, which needs
# wal_log_hints) and follows the new primary as a replica.
#
# The names scripts/cluster.sh takes: pg1 and pg2, the nodes; `primary`
# and `replica`, whichever node has that role now, as Patroni's REST API
# says (GET /primary, /replica: 200 or 503).

PG_NODES=(pg1 pg2)

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
patroni_bin() { command -v patroni 2>/dev/null || { [ -x /usr/bin/patroni ] && echo /usr/bin/patroni; }; }

# Postgres refuses to run as root: as root it (and Patroni) runs as the
# `postgres` user.
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
# Under $CLUSTER/postgres: NODE/ (the data), NODE.yml (its Patroni's
# configuration, written at each start), NODE.patroni.pid, NODE.pgpass,
# logs/NODE.log (the server's own log; Patroni's is logs/NODE.log under
# .data/cluster).
pg_dir() { echo "$(pg_root)/$1"; }
node_index() { case "$1" in pg1) echo 0 ;; pg2) echo 1 ;; *) die "no Postgres node \`$1\` (pg1, pg2)" ;; esac; }
node_port() { echo $((PG_NODE_PORT + $(node_index "$1"))); }
rest_port() { echo $((PATRONI_PORT + $(node_index "$1"))); }
patroni_pid() { pid_of "$CLUSTER/postgres/$1.patroni.pid" patroni; }
postmaster_pid() { pid_of "$CLUSTER/postgres/$1/postmaster.pid" postgres; }
has_data() { [ -s "$CLUSTER/postgres/$1/PG_VERSION" ]; }

# Patroni's REST API on NODE: the body, or the status code alone.
rest() { curl -s --max-time 2 "http://127.0.0.1:$(rest_port "$1")$2" 2>/dev/null; }
rest_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(rest_port "$1")$2" 2>/dev/null || true; }

# The node that is the primary now: its Patroni holds the leader key and
# runs Postgres read-write.
primary_node() {
  local node
  for node in "${PG_NODES[@]}"; do
    patroni_pid "$node" >/dev/null && [ "$(rest_code "$node" /primary)" = 200 ] && { echo "$node"; return 0; }
  done
  return 1
}
# A replica: a node whose Patroni says it runs as one; else (one that is
# starting, or rewinding) a running node that is not the primary.
replica_node() {
  local node primary
  for node in "${PG_NODES[@]}"; do
    patroni_pid "$node" >/dev/null && [ "$(rest_code "$node" /replica)" = 200 ] && { echo "$node"; return 0; }
  done
  primary="$(primary_node || true)"
  for node in "${PG_NODES[@]}"; do
    [ "$node" != "$primary" ] && patroni_pid "$node" >/dev/null && { echo "$node"; return 0; }
  done
  return 1
}
# NAME (primary, replica, pg1, pg2) as a node; fails when no node has the role.
pg_node() {
  case "$1" in
    primary) primary_node ;;
    replica) replica_node ;;
    *) node_index "$1" >/dev/null; echo "$1" ;;
  esac
}
# Where psql reaches NAME: the node's own port; for a role no node has now,
# HAProxy's port for it (which then refuses too).
pg_port() {
  local node
  if node="$(pg_node "$1")"; then node_port "$node"
  elif [ "$1" = primary ]; then echo "$PG_PORT"
  else echo "$REPLICA_PORT"
  fi
}
psql_on() {
  local which="$1"; shift
  "$(pg_bin psql)" -h 127.0.0.1 -p "$(pg_port "$which")" -U "$PG_USER" -X -v ON_ERROR_STOP=1 "$@"
}

# Patroni's view of the cluster (GET /cluster on a running node), one line
# a node: `name role state timeline lag`, role leader, sync_standby or
# replica; lag in bytes behind the leader, `-` for the leader itself.
# Members come from etcd: a node that died is listed until its key lapses.
members() {
  local node json=""
  for node in "${PG_NODES[@]}"; do
    patroni_pid "$node" >/dev/null || continue
    json="$(rest "$node" /cluster)" && [ -n "$json" ] && break
  done
  [ -n "$json" ] || return 1
  jq -r '.members[] | [.name, .role, .state, (.timeline // "-" | tostring), (.lag // "-" | tostring)] | join(" ")' <<<"$json"
}

write_patroni_config() {
  local node="$1" file="$2" root port rest
  root="$(pg_root)" port="$(node_port "$node")" rest="$(rest_port "$node")"
  cat >"$file" <<YAML
# Written by scripts/cluster.sh at each start (cluster-postgres.sh).
scope: warta-local
namespace: /warta/
name: $node

log:
  level: INFO
  format: '%(asctime)s %(levelname)s: %(message)s'

restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest

etcd3:
  hosts: 127.0.0.1:$ETCD_PORT

# Used once, when the cluster is made; then kept in etcd for every node
# (patronictl edit-config changes it).
bootstrap:
  dcs:
    # The leader renews its key every second; a dead one is replaced about
    # 10 s after its last renewal (loop_wait + 2 x retry_timeout <= ttl).
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    # Only the synchronous standby may take over, so every commit the
    # primary acknowledged is there; the primary goes on alone while the
    # standby is away (strict mode would stop its writes instead).
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 200
        shared_buffers: 128MB
        wal_level: replica
        wal_log_hints: 'on'
        hot_standby: 'on'
        hot_standby_feedback: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        # A stopped replica keeps WAL on the primary through its slot, up to this.
        max_slot_wal_keep_size: 2GB
        # A commit returns once the synchronous standby has it on disk.
        synchronous_commit: 'on'
        default_toast_compression: lz4
        shared_preload_libraries: pg_stat_statements
  initdb:
    - encoding: UTF8
    - no-locale

postgresql:
  listen: 127.0.0.1:$port
  connect_address: 127.0.0.1:$port
  data_dir: $root/$node
  bin_dir: $(pg_bindir)
  pgpass: $root/$node.pgpass
  # Trust on 127.0.0.1 (as the cluster's Postgres always had); the
  # passwords only fill the pgpass file Patroni's own connections use.
  authentication:
    superuser:
      username: $PG_USER
      password: $PG_USER
    replication:
      username: $PG_USER
      password: $PG_USER
    rewind:
      username: $PG_USER
      password: $PG_USER
  pg_hba:
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
  parameters:
    unix_socket_directories: ''
    logging_collector: 'on'
    log_directory: $root/logs
    log_filename: $node.log
    log_rotation_age: 0
    log_rotation_size: 0
    log_line_prefix: '%m [%p] %q%u@%d '

watchdog:
  mode: 'off'
YAML
}

# Starts NODE's Patroni (no wait): it starts Postgres, making or copying
# the data the first time.
start_node() {
  local node="$1" root port rest pidfile as=()
  patroni_pid "$node" >/dev/null && return
  port="$(node_port "$node")" rest="$(rest_port "$node")"
  # (A Postgres whose Patroni was killed alone still holds its port; the
  # new Patroni takes it over.)
  postmaster_pid "$node" >/dev/null || ! port_busy "$port" \
    || die "port $port ($node's Postgres) is taken by another program; CLUSTER_PG_NODE_PORT chooses others before the first start"
  port_busy "$rest" && die "port $rest ($node's Patroni REST API) is taken by another program; CLUSTER_PATRONI_PORT chooses others before the first start"
  [ -n "$(patroni_bin)" ] || die "Patroni is not installed (sudo apt-get install patroni)"
  root="$(pg_root)" pidfile="$(pg_root)/$node.patroni.pid"
  write_patroni_config "$node" "$root/$node.yml"
  mkdir -p "$LOGS"
  ln -sfn "$root/logs/$node.log" "$LOGS/$node-postgres.log"
  log "starting $node: Patroni (REST API on 127.0.0.1:$rest) and its Postgres on 127.0.0.1:$port (log: $LOGS/$node.log)"
  echo "==== $(date -u +%FT%TZ) start" >>"$LOGS/$node.log"
  is_root && as=(runuser -u postgres --)
  # setsid: a session of its own, as the warta processes have; the pid
  # file is written by the process that becomes Patroni.
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # $$, $0 and $@ are the inner shell's
  (exec setsid "${as[@]}" sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$(patroni_bin)" "$root/$node.yml") \
    >>"$LOGS/$node.log" 2>&1 </dev/null &
  for _ in $(seq 50); do patroni_pid "$node" >/dev/null && return; sleep 0.1; done
  tail -20 "$LOGS/$node.log" >&2
  die "$node's Patroni did not start (log: $LOGS/$node.log)"
}

# Stops NODE: SIGTERM to its Patroni, which stops Postgres (fast) and, on
# the leader, gives up the leader key, so the synchronous standby takes
# over at once.
stop_node() {
  local node="$1" pid
  if pid="$(patroni_pid "$node")"; then
    log "stopping $node (its Patroni stops its Postgres)"
    kill -TERM "$pid" 2>/dev/null || true
    wait_exit "$pid" 60 || { log "$node's Patroni did not exit in 60 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; wait_exit "$pid" 5 || true; }
  fi
  # A Postgres left without its Patroni (Patroni killed alone).
  if postmaster_pid "$node" >/dev/null; then
    log "stopping $node's Postgres, which runs without its Patroni"
    pg_run "$(pg_bin pg_ctl)" -D "$(pg_dir "$node")" -m fast -w -t 60 stop >/dev/null || true
  fi
  return 0
}

# The node dies: SIGKILL to its Patroni and its postmaster at once (the
# postmaster's children notice and exit). Its leader key stays in etcd
# until it lapses, which is what a failover waits for.
kill_node() {
  local node="$1" pid pids=()
  pid="$(patroni_pid "$node")" && pids+=("$pid")
  pid="$(postmaster_pid "$node")" && pids+=("$pid")
  [ ${#pids[@]} -gt 0 ] || { log "$node is not running"; return 0; }
  log "SIGKILL $node: its Patroni and its postmaster (${pids[*]})"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait_exit "$pid" 5 || true; done
}

# Waits (SECONDS at most) until a node is the primary and its Postgres
# takes writes (a node started again within the ttl still holds the key
# while its Postgres starts); prints it.
wait_primary() {
  local limit="$1" node
  for _ in $(seq $((limit * 5))); do
    node="$(primary_node)" \
      && [ "$(psql_on "$node" -d postgres -tAq -c "SELECT NOT pg_is_in_recovery()" 2>/dev/null || true)" = t ] \
      && { echo "$node"; return 0; }
    sleep 0.2
  done
  die "no Postgres node is the primary after ${limit} s (Patroni's logs: $LOGS/pg1.log, $LOGS/pg2.log)"
}

# Waits (SECONDS at most) until every running node but the primary streams
# from it, has replayed what the primary had written when this began, and
# one of them is its synchronous standby, for Postgres and for Patroni.
wait_synced() {
  local limit="$1" primary target node rows ok replicas
  primary="$(wait_primary "$limit")"
  target="$(psql_on "$primary" -d postgres -tAq -c "SELECT pg_current_wal_lsn()")"
  for _ in $(seq $((limit * 5))); do
    rows="$(psql_on "$primary" -d postgres -tAq -F ' ' -c "SELECT application_name, state, sync_state,
      replay_lsn >= '$target' FROM pg_stat_replication" 2>/dev/null || true)"
    ok=1 replicas=0
    for node in "${PG_NODES[@]}"; do
      [ "$node" = "$primary" ] && continue
      patroni_pid "$node" >/dev/null || continue
      replicas=$((replicas + 1))
      grep -q "^$node streaming [a-z]* t\$" <<<"$rows" || ok=0
    done
    # (Patroni names the standby in etcd once Postgres reports it
    # synchronous; only then may it take over.)
    if [ "$ok" = 1 ] && { [ "$replicas" = 0 ] || { grep -q ' streaming sync t$' <<<"$rows" \
      && members 2>/dev/null | grep -q '^[^ ]* sync_standby '; }; }; then
      return 0
    fi
    sleep 0.2
  done
  die "the replica does not stream from $primary as its synchronous standby after ${limit} s (pg_stat_replication: ${rows:-nothing}; logs: $LOGS/pg1.log, $LOGS/pg2.log)"
}

# Starts NODES (the stopped ones among them), then waits until there is a
# primary, the others stream from it, one as its synchronous standby, and
# HAProxy routes to them. The first start makes pg1 the primary before pg2
# copies it.
bring_up() {
  local node started=()
  [ -n "$(pg_bindir)" ] || die "Postgres is not installed"
  etcd_pid >/dev/null || die "etcd is not running (\`scripts/cluster.sh start etcd\`)"
  if ! has_data pg1 && ! has_data pg2 && ! patroni_pid pg1 >/dev/null && [[ " $* " == *" pg1 "* ]]; then
    start_node pg1
    log "pg1 is the first node: initdb, then it becomes the primary (Patroni's bootstrap)"
    wait_primary 120 >/dev/null
    started+=(pg1)
  fi
  for node in "$@"; do
    patroni_pid "$node" >/dev/null && continue
    start_node "$node"
    started+=("$node")
  done
  [ ${#started[@]} -gt 0 ] || return 0
  wait_synced 180
  ensure_database
  wait_routing 20
  log "Postgres: primary $(primary_node), replica $(replica_node || echo none) ($(members | awk '$2 == "sync_standby" {print $1 " is the synchronous standby"}'))"
}

ensure_database() {
  [ "$(psql_on primary -d postgres -tAq -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" = 1 ] \
    || psql_on primary -d postgres -q -c "CREATE DATABASE $PG_DB"
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
      log "replication works: a table made on the primary ($(primary_node)) appeared on the replica ($(replica_node)) after ~$((i * 100)) ms"
      psql_on primary -d postgres -P footer=off -c "SELECT application_name, client_addr, state, sync_state,
          pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS replay_lag_bytes, replay_lag
        FROM pg_stat_replication" >&2
      return 0
    fi
    sleep 0.1
  done
  die "a table made on the primary did not reach the replica in 30 s (logs: $LOGS/pg1.log, $LOGS/pg2.log)"
}

# One status line's details for NODE: its role and state as its Patroni
# says, and on the primary each replica's state and replay lag.
node_details() {
  local node="$1" json role state timeline sync replicas
  json="$(rest "$node" /patroni)"
  [ -n "$json" ] || { echo "Patroni's REST API (:$(rest_port "$node")) does not answer"; return; }
  role="$(jq -r '.role // "?"' <<<"$json")" state="$(jq -r '.state // "?"' <<<"$json")"
  timeline="$(jq -r '.timeline // "?"' <<<"$json")" sync="$(jq -r '.sync_standby // false' <<<"$json")"
  case "$role" in
    master|primary)
      replicas="$(psql_on "$node" -d postgres -tAq -c "SELECT string_agg(application_name || ' ' || state || ' ' || sync_state
        || ', replay lag ' || coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) || ' bytes', '; ')
        FROM pg_stat_replication" 2>/dev/null || true)"
      echo "primary ($state, timeline $timeline): ${replicas:-no replica connected}" ;;
    replica)
      echo "$([ "$sync" = true ] && echo "synchronous standby" || echo replica) ($state, timeline $timeline)" ;;
    *) echo "$role ($state)" ;;
  esac
}

# A cluster made by scripts/cluster.sh before Patroni (postgres/primary,
# postgres/replica): stopped with the rest, never started.
legacy_pg_stop() {
  local which
  for which in primary replica; do
    pid_of "$CLUSTER/postgres/$which/postmaster.pid" postgres >/dev/null || continue
    log "stopping the Postgres $which of the cluster's old layout"
    pg_run "$(pg_bin pg_ctl)" -D "$(readlink -f "$CLUSTER/postgres/$which")" -m fast -w -t 60 stop >/dev/null || true
  done
}
legacy_pg_refuse() {
  [ -e "$CLUSTER/postgres/primary/PG_VERSION" ] || return 0
  die "$CLUSTER/postgres holds the cluster made before Patroni (primary/, replica/): \`scripts/cluster.sh clean\` deletes it (and everything under $CLUSTER), then start again"
}
