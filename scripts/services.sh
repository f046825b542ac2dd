#!/usr/bin/env bash
# Private Postgres and Redis for this checkout, under .data/ (git-ignored).
#
#   scripts/services.sh start   install if missing, initialise, start; print env
#   scripts/services.sh env     print DATABASE_URL, REDIS_URL, TEST_* for them
#   scripts/services.sh stop    stop both
#
# They listen on 127.0.0.1 only, on ports away from the standard ones
# (WARTA_PG_PORT, default 54329; WARTA_REDIS_PORT, default 63799; the next
# free port when that one is taken, remembered in .data/*.port), so they
# never clash with servers already on the machine. Data survives restarts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${WARTA_DATA_DIR:-$ROOT/.data}"
PG_USER=warta

LOG_PREFIX=services
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

# The port recorded in .data/<name>.port when the service was first set up;
# otherwise the requested or default port, or the next free one after it.
choose_port() {
  local name="$1" wanted="$2" port
  if [ -s "$DATA/$name.port" ]; then cat "$DATA/$name.port"; return; fi
  port="$wanted"
  while port_busy "$port"; do port=$((port + 1)); done
  mkdir -p "$DATA"
  echo "$port" >"$DATA/$name.port"
  echo "$port"
}
PG_PORT="$(choose_port postgres "${WARTA_PG_PORT:-54329}")"
REDIS_PORT="$(choose_port redis "${WARTA_REDIS_PORT:-63799}")"

pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
  command -v pg_ctl >/dev/null 2>&1 && dirname "$(readlink -f "$(command -v pg_ctl)")"
}

install_missing() {
  local missing=()
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]} with apt-get"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; then
    as_root apt-get update -q >/dev/null 2>&1 || die "please install: ${missing[*]} (for example: sudo apt-get install ${missing[*]})"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
      || die "please install: ${missing[*]} (for example: sudo apt-get install ${missing[*]})"
  fi
}

# Postgres refuses to run as root. As root we run it as the `postgres` user,
# whose data directory must be reachable by that user: if this checkout sits
# somewhere it cannot enter, the data lives under /var/tmp with a link here.
pg_run() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_datadir() {
  local dir="$DATA/postgres"
  if is_root; then
    if [ -L "$dir" ]; then readlink -f "$dir"; return; fi
    mkdir -p "$DATA"
    if ! runuser -u postgres -- test -x "$DATA" 2>/dev/null; then
      local elsewhere
      elsewhere="/var/tmp/warta-$(echo -n "$ROOT" | md5sum | cut -c1-12)/postgres"
      mkdir -p "$(dirname "$elsewhere")"
      chown postgres "$(dirname "$elsewhere")"
      [ -e "$dir" ] || ln -s "$elsewhere" "$dir"
      echo "$elsewhere"; return
    fi
  fi
  echo "$dir"
}

start_postgres() {
  local bin datadir
  bin="$(pg_bindir)"
  datadir="$(pg_datadir)"
  if [ ! -s "$datadir/PG_VERSION" ]; then
    log "initialising Postgres in $datadir"
    mkdir -p "$datadir"
    is_root && chown postgres "$datadir"
    chmod 700 "$datadir"
    pg_run "$bin/initdb" -D "$datadir" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >/dev/null
    cat >>"$datadir/postgresql.conf" <<CONF
# Warta's private development instance.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
max_connections = 200
shared_buffers = 512MB
maintenance_work_mem = 512MB
max_wal_size = 8GB
checkpoint_timeout = 30min
wal_level = minimal
max_wal_senders = 0
synchronous_commit = off
default_toast_compression = lz4
CONF
  fi
  if pg_run "$bin/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
    return
  fi
  port_busy "$PG_PORT" && die "port $PG_PORT is taken by another program; set WARTA_PG_PORT to a free port"
  log "starting Postgres on 127.0.0.1:$PG_PORT"
  # pg_stat_statements lets the tests count the statements a page runs.
  pg_run "$bin/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 \
    -o "-c shared_preload_libraries=pg_stat_statements" start >/dev/null \
    || { tail -20 "$datadir/server.log" >&2; die "Postgres did not start"; }
  pg_run "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAq \
    -c "SELECT 1 FROM pg_database WHERE datname = 'warta'" | grep -q 1 \
    || pg_run "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" warta
}

redis_running() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_redis() {
  mkdir -p "$DATA/redis"
  redis_running && return
  port_busy "$REDIS_PORT" && die "port $REDIS_PORT is taken by another program; set WARTA_REDIS_PORT to a free port"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --dir "$DATA/redis" --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log" \
    --save 300 1 --appendonly no --protected-mode yes >/dev/null
  for _ in $(seq 50); do redis_running && return; sleep 0.1; done
  die "Redis did not start (see $DATA/redis/redis.log)"
}

print_env() {
  echo "DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/warta"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "TEST_DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/postgres"
  echo "TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/1"
}

case "${1:-}" in
  start)
    install_missing
    start_postgres
    start_redis
    print_env
    ;;
  env) print_env ;;
  stop)
    if [ -e "$DATA/postgres" ] && [ -n "$(pg_bindir)" ]; then
      datadir="$(pg_datadir)"
      if pg_run "$(pg_bindir)/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
        log "stopping Postgres"
        pg_run "$(pg_bindir)/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null
      fi
    fi
    if redis_running; then
      log "stopping Redis"
      redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    ;;
  *) echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac
