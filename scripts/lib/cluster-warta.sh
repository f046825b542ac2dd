# shellcheck shell=bash
# Sourced by scripts/cluster.sh: the warta processes (webN, the worker, the
# migration and seed), started with the cluster's environment, waited for
# and stopped. Uses cluster.sh's settings (CLUSTER, LOGS, RUN, WARTA_BIN,
# the ports) and helpers (pid_of, wait_exit, redis_seeds, web_port), and
# common.sh's.

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
    WARTA_SESSION_REDIS_URL="redis://127.0.0.1:$SESSION_REDIS_PORT"
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
  for _ in $(seq 50); do [ -s "$RUN/$name.pid" ] && warta_pid "$name" >/dev/null && break; sleep 0.1; done
  [ "$command" = serve ] && touch "$RUN/web.running"
  return 0
}

# Waits for webN's /readyz to answer 200 (CLUSTER_READY_TIMEOUT, 60 s), or
# for the worker to stay up for 2 s.
wait_warta() {
  local name="$1" timeout="${CLUSTER_READY_TIMEOUT:-60}" code
  if [ "$name" = worker ]; then
    sleep 2
    warta_pid worker >/dev/null || { tail -20 "$LOGS/worker.log" >&2; die "the worker exited (log: $LOGS/worker.log)"; }
    return
  fi
  for _ in $(seq $((timeout * 5))); do
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
