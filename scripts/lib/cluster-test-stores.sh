# shellcheck shell=bash
# Sourced by scripts/cluster-test.sh: the checks of the stores behind the
# instances (4 the Postgres replica stopped and started, 5 a Redis master
# stopped). Each runs in run_check's subshell and ends with pass or fail.

# ------------------------------------------------------------------ check 4
xact() { sql "$1" "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()" 2>/dev/null || true; }

# Every web instance's /readyz says its replicas are STATE (healthy,
# unhealthy): waits up to SECONDS, prints the seconds waited.
replicas_are() {
  local want="$1" limit="$2" started=$EPOCHREALTIME i url body list all
  for i in $(seq $((limit * 5))); do
    all=1
    for url in "${WEB_URLS[@]}"; do
      body="$(curl -s --max-time 2 "$url/readyz" | tr -d ' \n' || true)"
      list="$(grep -o '"replicas":\[[^]]*\]' <<<"$body" || true)"
      case "$want" in
        healthy) [[ "$list" == *'"healthy":true'* && "$list" != *'"healthy":false'* ]] || all=0 ;;
        unhealthy) [[ "$list" == *'"healthy":false'* && "$list" != *'"healthy":true'* ]] || all=0 ;;
      esac
    done
    [ "$all" = 1 ] && { since "$started"; return 0; }
    sleep 0.2
  done
  since "$started"
  return 1
}

# One phase of check 4: PATHS (a file, one path a line) read through nginx
# while SERVER (primary or replica) should answer them. xact_commit counts
# every transaction on a server, the instances' own (replica health
# checks: 2 a second per instance; the worker's polling) included, and
# Postgres publishes a backend's counts up to ~1 s late (10 s when it goes
# idle). So: the idle rate of each server is measured for 5 s first, the
# reads are made, and the counters are polled for up to 15 s until
# SERVER's rise beyond its idle rate reaches the threshold. A page that
# misses the cache costs 2 queries (a count and the listing), an author
# page at least 2, each its own transaction: N reads make 2N or more, and
# the threshold, N/2, leaves room for noise and the odd cache hit.
# Sets PH_BAD (answers not 200), PH_SLOWEST, PH_EXTRA_P, PH_EXTRA_R,
# PH_NEED, PH_OK (1 when SERVER's rise reached it).
phase() {
  local label="$1" server="$2" paths="$3" n t0 p0 r0 t1 p1 r1 rate_p rate_r results t p r i replica_said
  n="$(wc -l <"$paths")"
  results="$RUNDIR/reads-$label.txt"
  # The idle rate, polled as the counters are polled after the reads
  # (each poll is 2 transactions: psql's connection and its query).
  t0=$EPOCHREALTIME p0="$(xact primary)" r0="$(xact replica)"
  for i in $(seq 9); do sleep 0.5; xact primary >/dev/null; xact replica >/dev/null; done
  sleep 0.5
  t1=$EPOCHREALTIME p1="$(xact primary)" r1="$(xact replica)"
  rate_p="$(calc "($p1 - $p0) / ($t1 - $t0)" 2)"
  rate_r=""
  [ -n "$r0" ] && [ -n "$r1" ] && rate_r="$(calc "($r1 - $r0) / ($t1 - $t0)" 2)"
  sed "s|^|$URL|" "$paths" | xargs -P4 -n1 curl -s -g -o /dev/null --max-time 10 -w '%{http_code} %{time_total} %{url_effective}\n' >"$results" || true
  PH_BAD="$(awk '$1 != 200' "$results" | wc -l)"
  PH_BAD=$((PH_BAD + n - $(wc -l <"$results")))
  PH_SLOWEST="$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {printf "%.3f", m}' "$results")"
  PH_NEED=$(((n + 1) / 2)) PH_OK=0 PH_EXTRA_P="?" PH_EXTRA_R="?"
  for i in $(seq 30); do
    sleep 0.5
    t=$EPOCHREALTIME p="$(xact primary)" r="$(xact replica)"
    [ -n "$p" ] && PH_EXTRA_P="$(calc "$p - $p1 - $rate_p * ($t - $t1)" 0)"
    [ -n "$r" ] && [ -n "$r1" ] && [ -n "$rate_r" ] && PH_EXTRA_R="$(calc "$r - $r1 - $rate_r * ($t - $t1)" 0)"
    if [ "$server" = primary ]; then
      [ "$PH_EXTRA_P" != "?" ] && [ "$PH_EXTRA_P" -ge "$PH_NEED" ] && { PH_OK=1; break; }
    else
      [ "$PH_EXTRA_R" != "?" ] && [ "$PH_EXTRA_R" -ge "$PH_NEED" ] && { PH_OK=1; break; }
    fi
  done
  replica_said="down"
  [ -n "$r" ] && replica_said="+$PH_EXTRA_R (idle ${rate_r:-?}/s)"
  info "$label: $n cache-missing reads through nginx, $((n - PH_BAD)) answered 200 (slowest ${PH_SLOWEST} s)"
  info "$label: xact_commit beyond the idle rate, $(since "$t1") s after the reads began: primary +$PH_EXTRA_P (idle ${rate_p}/s), replica $replica_said; the $server needs +$PH_NEED"
}

check_4() {
  local published pages authors pool=$RUNDIR/read-pool.txt first=$RUNDIR/reads-a.paths second=$RUNDIR/reads-b.paths waited
  published="$(sql primary "SELECT count(*) FROM articles WHERE status = 'published'")"
  pages=$(((published + 19) / 20))
  # Distinct listing pages (2 to the last), then authors' pages: values
  # nobody read in the last 30 s, so each read misses the cache.
  { seq 2 "$pages" 2>/dev/null | shuf | sed 's|^|/?page=|'
    sql primary "SELECT '/@' || username FROM users u WHERE username ~ '^[A-Za-z0-9_-]+\$'
      AND EXISTS (SELECT 1 FROM articles a WHERE a.user_id = u.id AND a.status = 'published')
      ORDER BY random() LIMIT $((2 * READS))"
  } >"$pool"
  authors=$(( $(wc -l <"$pool") - (pages > 1 ? pages - 1 : 0) ))
  [ "$(wc -l <"$pool")" -ge $((2 * READS)) ] \
    || fail "only $(wc -l <"$pool") distinct pages to read ($published articles, $authors authors); need $((2 * READS))"
  head -n "$READS" "$pool" >"$first"
  sed -n "$((READS + 1)),$((2 * READS))p" "$pool" >"$second"
  info "$published published articles ($pages pages); $READS reads per phase from $((pages - 1)) listing pages and $authors authors' pages"

  cl stop-replica || fail "scripts/cluster.sh stop-replica failed: $(cl_said)"
  waited="$(replicas_are unhealthy 15)" \
    || fail "15 s after the replica stopped, /readyz of web1 and web2 does not show it unhealthy"
  info "replica stopped; both instances' /readyz show it unhealthy after ${waited} s"
  phase "replica-down" primary "$first"
  local bad1=$PH_BAD ok1=$PH_OK extra1=$PH_EXTRA_P need1=$PH_NEED slow1=$PH_SLOWEST

  cl start-replica || fail "scripts/cluster.sh start-replica failed: $(cl_said)"
  waited="$(replicas_are healthy 20)" \
    || fail "20 s after the replica started again, /readyz of web1 and web2 does not show it healthy"
  info "replica started; both instances' /readyz show it healthy after ${waited} s"
  phase "replica-back" replica "$second"
  local bad2=$PH_BAD ok2=$PH_OK extra2=$PH_EXTRA_R need2=$PH_NEED slow2=$PH_SLOWEST

  local problems=()
  [ "$bad1" = 0 ] || problems+=("$bad1 of $READS reads failed with the replica down (see $RUNDIR/reads-replica-down.txt)")
  [ "$ok1" = 1 ] || problems+=("with the replica down, the primary's xact_commit rose only $extra1 beyond its idle rate (needs $need1)")
  [ "$bad2" = 0 ] || problems+=("$bad2 of $READS reads failed with the replica back (see $RUNDIR/reads-replica-back.txt)")
  [ "$ok2" = 1 ] || problems+=("with the replica back, its xact_commit rose only $extra2 beyond its idle rate (needs $need2): reads did not return to it")
  [ ${#problems[@]} -eq 0 ] || fail "$(joined "${problems[@]}")"
  pass "replica down: $READS/$READS reads 200 (slowest ${slow1} s), primary +$extra1 transactions; replica back: $READS/$READS 200 (slowest ${slow2} s), replica +$extra2 (threshold $need2 each)"
}

# ------------------------------------------------------------------ check 5
# Requests the paths in turn through nginx until STOPFILE exists: one line
# each, `start code seconds path`.
probe_loop() {
  local out="$1" stopfile="$2" i=0 path started answer
  while [ ! -e "$stopfile" ]; do
    path="${PROBE_PATHS[$((i % ${#PROBE_PATHS[@]}))]}"
    i=$((i + 1))
    started=$EPOCHREALTIME
    answer="$(curl -s -g -o /dev/null --max-time 3 -w '%{http_code} %{time_total}' "$URL$path" || true)"
    echo "$started ${answer:-000 3} $path" >>"$out"
    sleep 0.05
  done
}
# Of the probes started in [FROM, TO): "count bad slowest".
probe_stats() {
  awk -v from="$2" -v to="$3" '$1 >= from && $1 < to {
      n++; if ($2 != 200 || $3 > 2.0) bad++; if ($3 > m) m = $3 }
    END { printf "%d %d %.3f\n", n, bad, m }' "$1"
}

check_5() {
  # redis1 goes; redis2, another master, says how the cluster sees it.
  local node=1 n port other=2 other_port replica="" out="$RUNDIR/redis-probes.txt" stopfile="$RUNDIR/redis-probes.stop"
  port="$(redis_port "$node")" other_port="$(redis_port "$other")"
  [ "$(redis_role "$node")" = master ] || fail "redis$node is not a master (it is \"$(redis_role "$node")\"), and failing it back did not work"
  for n in $(seq ${#REDIS_PORTS[@]}); do
    [ "$(redis_field "$(redis_port "$n")" master_port info replication)" = "$port" ] && replica="$n"
  done
  # Pages whose cached values live on every node, and some no one read
  # lately (they must be computed and written to Redis).
  PROBE_PATHS=(/ /popular "/?page=2")
  mapfile -t -O 3 PROBE_PATHS < <(sql primary "
    (SELECT '/articles/' || slug FROM articles WHERE status = 'published' AND slug ~ '^[a-z0-9-]+\$' ORDER BY random() LIMIT 12)
    UNION ALL (SELECT '/@' || username FROM users WHERE username ~ '^[A-Za-z0-9_-]+\$' ORDER BY random() LIMIT 12)
    UNION ALL (SELECT '/?page=' || g FROM generate_series(3, LEAST(30,
      (SELECT (count(*) + 19) / 20 FROM articles WHERE status = 'published'))) g)" | shuf)
  info "redis$node (127.0.0.1:$port) is a master${replica:+, redis$replica its replica}; probing ${#PROBE_PATHS[@]} pages in turn through nginx"

  rm -f "$stopfile"
  probe_loop "$out" "$stopfile" &
  local probe=$!
  BG+=("$probe")
  sleep 1
  local t_stop t_stopped t_over="" t_after t_restore t_done i
  t_stop=$EPOCHREALTIME
  cl stop-redis "$node" || fail "scripts/cluster.sh stop-redis $node failed: $(cl_said)"
  t_stopped=$EPOCHREALTIME
  # The takeover: the replica is a master and every slot is served.
  for i in $(seq 300); do
    if [ -n "$replica" ] && [ "$(redis_role "$replica")" = master ] \
      && [ "$(redis_field "$other_port" cluster_slots_ok cluster info)" = 16384 ] \
      && [ "$(redis_field "$other_port" cluster_state cluster info)" = ok ]; then
      t_over=$EPOCHREALTIME; break
    fi
    [ -z "$replica" ] && [ "$(calc "$EPOCHREALTIME - $t_stop >= 10" 0)" = 1 ] && break
    sleep 0.1
  done
  # At least 10 s with the master gone, then 5 s after the takeover.
  while [ "$(calc "$EPOCHREALTIME - $t_stop >= 10" 0)" != 1 ]; do sleep 0.2; done
  t_after=$EPOCHREALTIME
  sleep 5
  t_restore=$EPOCHREALTIME
  local restored=1
  cl start-redis "$node" || { restored=0; info "redis$node did not start again: $(cl_said)"; }
  [ "$restored" = 0 ] || cl failback-redis "$node" || { restored=0; info "redis$node was not failed back: $(cl_said)"; }
  t_done=$EPOCHREALTIME
  touch "$stopfile"
  wait "$probe" || true

  local down after back problems=() c b s
  down="$(probe_stats "$out" "$t_stop" "${t_over:-$t_after}")"
  after="$(probe_stats "$out" "${t_over:-$t_after}" "$t_restore")"
  back="$(probe_stats "$out" "$t_restore" "$t_done")"
  read -r c b s <<<"$down"
  info "master down (stop took $(calc "$t_stopped - $t_stop") s), until the takeover: $c requests, $b not 200 within 2 s, slowest $s s"
  [ "$b" = 0 ] || problems+=("$b of $c requests failed or took over 2 s with redis$node down")
  [ "$c" -gt 0 ] || problems+=("no request was made with redis$node down")
  figure "slowest page with a Redis master down: $s s"
  if [ -n "$t_over" ]; then
    info "takeover: redis$replica a master, cluster_state:ok, 16384 slots served, $(calc "$t_over - $t_stop") s after the stop"
  elif [ -n "$replica" ]; then
    problems+=("redis$replica did not take over within 30 s")
  else
    info "redis$node has no replica: its slots stayed down until it came back"
  fi
  read -r c b s <<<"$after"
  info "after the takeover: $c requests, $b not 200 within 2 s, slowest $s s"
  [ "$b" = 0 ] || problems+=("$b of $c requests failed or took over 2 s after the takeover")
  read -r c b s <<<"$back"
  info "redis$node started and failed back in $(calc "$t_done - $t_restore") s: $c requests meanwhile, $b not 200 within 2 s, slowest $s s"
  [ "$b" = 0 ] || problems+=("$b of $c requests failed or took over 2 s while redis$node came back")
  if [ "$restored" = 1 ]; then
    [ "$(redis_role "$node")" = master ] && [ "$(redis_field "$port" cluster_state cluster info)" = ok ] \
      && [ "$(redis_field "$port" cluster_slots_ok cluster info)" = 16384 ] \
      || problems+=("after the failback redis$node is $(redis_role "$node"), cluster_state $(redis_field "$port" cluster_state cluster info)")
  else
    problems+=("redis$node was not restored")
  fi
  [ ${#problems[@]} -eq 0 ] || fail "$(joined "${problems[@]}")"
  read -r c b s <<<"$down"
  pass "redis$node stopped: $c requests all 200 within 2 s (slowest $s s); ${t_over:+"redis$replica took over after $(calc "$t_over - $t_stop") s, "}pages 200 after; redis$node back as a master, cluster_state ok"
}
