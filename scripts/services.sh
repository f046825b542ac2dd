#!/usr/bin/env bash
# Private Postgres and Redis for this checkout, under .data/ (git-ignored).
#
#   scripts/services.sh start   install if missing, initialise, start; print env
#   scripts/services.sh env     print DATABASE_URL, REDIS_URL, WARTA_SESSION_REDIS_URL, TEST_*
#   scripts/services.sh stop    stop them all
#
# Two Redis servers, as in production: the cache's (REDIS_URL: what anonymous
# traffic fills, capped at WARTA_CACHE_REDIS_MB, 256 MB, evicting the least
# recently used keys) and the sessions' (WARTA_SESSION_REDIS_URL: sessions
# and attempt budgets, never evicted, saved to disk), so a flood of cache
# misses cannot sign anyone out.
#
# They listen on 127.0.0.1 only, on ports away from the standard ones
# (WARTA_PG_PORT, default 54329; WARTA_REDIS_PORT, default 63799;
# WARTA_SESSION_REDIS_PORT, default 63789; the next free port when that one
# is taken, remembered in .data/*.port), so they never clash with servers
# already on the machine. Data survives restarts.
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
SESSION_REDIS_PORT="$(choose_port redis-sessions "${WARTA_SESSION_REDIS_PORT:-63789}")"
CACHE_REDIS_MB="${WARTA_CACHE_REDIS_MB:-256}"

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

redis_running() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

# start_redis NAME PORT VARIABLE ARGS...: one private Redis under .data/NAME.
start_redis() {
  local name="$1" port="$2" variable="$3"
  shift 3
  mkdir -p "$DATA/$name"
  if ! redis_running "$port"; then
    port_busy "$port" && die "port $port is taken by another program; set $variable to a free port"
    log "starting Redis ($name) on 127.0.0.1:$port"
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes \
      --dir "$DATA/$name" --pidfile "$DATA/$name/redis.pid" --logfile "$DATA/$name/redis.log" \
      --appendonly no --protected-mode yes "$@" >/dev/null
    local up=
    for _ in $(seq 50); do redis_running "$port" && { up=1; break; }; sleep 0.1; done
    [ -n "$up" ] || die "Redis ($name) did not start (see $DATA/$name/redis.log)"
  fi
}

start_redises() {
  # The cache: a memory limit, least recently used keys evicted, nothing
  # saved (it is all recomputed). Set again on a server started by an older
  # checkout, which had neither.
  start_redis redis "$REDIS_PORT" WARTA_REDIS_PORT --save '' --maxmemory "${CACHE_REDIS_MB}mb" --maxmemory-policy allkeys-lru
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" config set maxmemory "${CACHE_REDIS_MB}mb" >/dev/null
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" config set maxmemory-policy allkeys-lru >/dev/null
  # Sessions and attempt budgets: never evicted (a full server refuses
  # writes rather than dropping a session), saved to disk every 5 minutes.
  start_redis redis-sessions "$SESSION_REDIS_PORT" WARTA_SESSION_REDIS_PORT --save '300 1' --maxmemory-policy noeviction
}

print_env() {
  echo "DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/warta"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "WARTA_SESSION_REDIS_URL=redis://127.0.0.1:$SESSION_REDIS_PORT/0"
  echo "TEST_DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/postgres"
  echo "TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/1"
  echo "TEST_SESSION_REDIS_URL=redis://127.0.0.1:$SESSION_REDIS_PORT/1"
}

case "${1:-}" in
  start)
    install_missing
    start_postgres
    start_redises
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
    if redis_running "$REDIS_PORT"; then
      log "stopping Redis (cache)"
      redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    if redis_running "$SESSION_REDIS_PORT"; then
      log "stopping Redis (sessions)"
      redis-cli -h 127.0.0.1 -p "$SESSION_REDIS_PORT" shutdown save >/dev/null 2>&1 || true
    fi
    ;;
  *) echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac
