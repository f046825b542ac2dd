# shellcheck shell=bash
# Sourced by scripts/cluster.sh: the Postgres primary and its streaming
# replica (initdb, pg_basebackup -R and a slot, pg_ctl), and the proof that
# a table made on the primary reaches the replica. Uses cluster.sh's
# settings (CLUSTER, LOGS, PG_PORT, REPLICA_PORT, PG_USER, PG_DB, SLOT) and
# helpers (pid_of, reachable_dir), and common.sh's.

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
