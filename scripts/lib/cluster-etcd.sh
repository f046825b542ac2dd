# shellcheck shell=bash
# Sourced by scripts/cluster.sh: etcd, where Patroni keeps the cluster's
# state (cluster-postgres.sh): who leads (a key with a time to live that
# the leader renews every second), who may take over (the synchronous
# standby), and the configuration the nodes share. One member, on
# 127.0.0.1:CLUSTER_ETCD_PORT (its peers' port, the next one, has no
# peers), data in .data/cluster/etcd. Uses cluster.sh's settings (CLUSTER,
# LOGS, RUN, ETCD_PORT) and helpers (pid_of, wait_exit), and common.sh's.
#
# A production etcd has three or five members on separate machines: with
# one, losing etcd stops every failover (and Patroni demotes the leader once
# it cannot renew its key, failsafe_mode being off), which is why
# `scripts/cluster.sh kill etcd` is a different experiment from `kill
# primary`.

etcd_bin() { command -v etcd 2>/dev/null || { [ -x /usr/bin/etcd ] && echo /usr/bin/etcd; }; }
etcd_pid() { pid_of "$RUN/etcd.pid" etcd; }
etcd_url() { echo "http://127.0.0.1:$ETCD_PORT"; }
etcd_healthy() { curl -s --max-time 2 "$(etcd_url)/health" 2>/dev/null | grep -q '"health":"true"'; }

start_etcd() {
  local dir="$CLUSTER/etcd" peer=$((ETCD_PORT + 1))
  etcd_pid >/dev/null && return
  port_busy "$ETCD_PORT" && die "port $ETCD_PORT (etcd) is taken by another program; set CLUSTER_ETCD_PORT"
  port_busy "$peer" && die "port $peer (etcd's peer port, CLUSTER_ETCD_PORT + 1) is taken by another program; set CLUSTER_ETCD_PORT"
  mkdir -p "$dir" "$LOGS" "$RUN"
  chmod 700 "$dir"
  log "starting etcd on 127.0.0.1:$ETCD_PORT (log: $LOGS/etcd.log)"
  echo "==== $(date -u +%FT%TZ) start" >>"$LOGS/etcd.log"
  # In a session of its own (a Ctrl-C where `make cluster` ran does not
  # reach it); the pid file is written by the process itself. The
  # --initial-* flags only matter the first time: afterwards the data
  # folder says who the members are.
  rm -f "$RUN/etcd.pid"
  # shellcheck disable=SC2016 # $$, $0 and $@ are the inner shell's
  (exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$RUN/etcd.pid" "$(etcd_bin)" \
    --name warta-local --data-dir "$dir" \
    --listen-client-urls "$(etcd_url)" --advertise-client-urls "$(etcd_url)" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "warta-local=http://127.0.0.1:$peer" --initial-cluster-token warta-local \
    --initial-cluster-state new --enable-v2=false \
    --auto-compaction-mode=periodic --auto-compaction-retention=1h \
    --logger=zap --log-outputs=stderr --log-level=warn) >>"$LOGS/etcd.log" 2>&1 </dev/null &
  for _ in $(seq 300); do
    etcd_healthy && return
    [ -s "$RUN/etcd.pid" ] && ! etcd_pid >/dev/null && break
    sleep 0.1
  done
  tail -20 "$LOGS/etcd.log" >&2
  die "etcd did not become healthy on 127.0.0.1:$ETCD_PORT (log: $LOGS/etcd.log)"
}

stop_etcd() {
  local signal="${1:-TERM}" pid
  pid="$(etcd_pid)" || { rm -f "$RUN/etcd.pid"; return 0; }
  log "stopping etcd (SIG$signal)"
  kill -"$signal" "$pid" 2>/dev/null || true
  wait_exit "$pid" 15 || { kill -KILL "$pid" 2>/dev/null || true; wait_exit "$pid" 5 || true; }
  rm -f "$RUN/etcd.pid"
}
