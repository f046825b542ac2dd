# shellcheck shell=bash
# Sourced by scripts/cluster-test.sh: the checks of the stores behind the
# instances (4 the Postgres replica stopped and started, 5 a Redis master
# stopped, 7 the Postgres primary killed under writes). Each runs in
# run_check's subshell and ends with pass or fail.

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

# ------------------------------------------------------------------ check 7
# The node Patroni names for ROLE (leader, sync_standby) and says runs, or
# nothing (scripts/cluster.sh members: `name role state timeline lag`).
member_with() { cl members 2>/dev/null | awk -v role="$1" '$2 == role && ($3 == "running" || $3 == "streaming") {print $1; exit}' || true; }
member_role() { cl members 2>/dev/null | awk -v name="$1" '$1 == name {print $2 " " $3; exit}' || true; }

# Inserts row N of this run into cluster_failover (the `postgres` database
# at URL, HAProxy's primary port) every 0.1 s, each with a new psql
# (connect_timeout 2 s, 10 s at most; no statement_timeout, which would
# turn a commit's wait for the standby into a success), until STOPFILE
# exists. OUT gets `n started acknowledged` for each insert psql reported
# done, OUT.attempts every attempt.
sql_writer() {
  local out="$1" stopfile="$2" url="$3" n=0 started
  while [ ! -e "$stopfile" ]; do
    n=$((n + 1)) started=$EPOCHREALTIME
    echo "$n $started" >>"$out.attempts"
    if PGCONNECT_TIMEOUT=2 timeout -k 1 10 psql "$url" -X -q -v ON_ERROR_STOP=1 \
      -c "INSERT INTO cluster_failover (run, n) VALUES ('$RUN', $n)" >/dev/null 2>>"$out.errors"; then
      echo "$n $started $EPOCHREALTIME" >>"$out"
    fi
    sleep 0.1
  done
}

# Favorites article N (line N of the file SLUGS, from 0) as writer N mod K
# (the K lines of TOKENS) through nginx's JSON API every 0.33 s, until
# STOPFILE exists or the articles run out. OUT gets `n started answered
# status` for each attempt; 200 is an acknowledged write.
api_writer() {
  local out="$1" stopfile="$2" n=0 started code
  local -a token_list slug_list
  mapfile -t token_list <"$3"
  mapfile -t slug_list <"$4"
  while [ ! -e "$stopfile" ] && [ "$n" -lt "${#slug_list[@]}" ]; do
    started=$EPOCHREALTIME
    code="$(curl -s -g -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Accept: application/json' \
      -H "Authorization: Token ${token_list[$((n % ${#token_list[@]}))]}" "$URL/api/articles/${slug_list[$n]}/favorite" || true)"
    echo "$n $started $EPOCHREALTIME ${code:-000}" >>"$out"
    n=$((n + 1))
    sleep 0.33
  done
}

# Of the acknowledgements in FILE (`n started acknowledged` lines): the
# last one before KILL and the first of an attempt started after it, as
# `last first` (`-` for none).
acks_around() {
  awk -v kill="$2" '$3 < kill && $3 > last { last = $3 }
    $2 >= kill && (first == "" || $3 < first) { first = $3 }
    END { printf "%s %s\n", (last == "" ? "-" : last), (first == "" ? "-" : first) }' "$1"
}
# Of the probes (probe_loop's lines) started in [FROM, TO): "count not-200 slowest".
reads_in() {
  awk -v from="$2" -v to="$3" '$1 >= from && $1 < to { n++; if ($2 != 200) bad++; if ($3 > m) m = $3 }
    END { printf "%d %d %.3f\n", n, bad, m }' "$1"
}

check_7() {
  local leader="" standby="" i waited=$EPOCHREALTIME
  # Patroni fails over to a synchronous standby only.
  while :; do
    leader="$(member_with leader)" standby="$(member_with sync_standby)"
    [ -n "$leader" ] && [ -n "$standby" ] && break
    if [ "$(calc "($EPOCHREALTIME - $waited >= 30)" 0)" = 1 ]; then
      fail "Patroni names no leader with a synchronous standby after 30 s ($(cl members 2>/dev/null | tr '\n' ';' || true))"
    fi
    sleep 0.2
  done

  # A reader signed in before the kill.
  local user="ct${RUN}p" jar="$RUNDIR/session-failover.jar" code me
  code="$(register "$URL" "$user" "$jar")"
  me="$(whoami "$URL" "$jar")"
  [ "$me" = "$user" ] || fail "registering $user through nginx answered $code, then /fn/me says \"$me\""

  # The app's writers: accounts and API tokens made with SQL (no
  # registration budget spent), each favoriting other articles in turn.
  # Eight, at 3 favorites a second in all, keep each account well under
  # the 30 favorites a minute it may add.
  local writers=8 token_file="$RUNDIR/failover-tokens.txt" names="$RUNDIR/failover-writers.txt" w token values=() made
  : >"$token_file"
  : >"$names"
  for w in $(seq "$writers"); do
    token="ct${RUN}t${w}$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
    echo "$token" >>"$token_file"
    echo "ctp${RUN}w$w" >>"$names"
    values+=("('ctp${RUN}w$w', '$token')")
  done
  made="$(sql primary "
    WITH fresh AS (
      INSERT INTO users (username, email, password_hash, email_verified)
      SELECT 'ctp${RUN}w' || g, 'ctp${RUN}w' || g || '@example.test', 'cluster-test: never signs in', true
      FROM generate_series(1, $writers) AS g
      RETURNING id, username),
    issued AS (
      INSERT INTO api_tokens (token_hash, user_id, expires_at)
      SELECT sha256(convert_to(t.token, 'UTF8')), fresh.id, now() + interval '1 hour'
      FROM fresh JOIN (VALUES $(IFS=,; echo "${values[*]}")) AS t (username, token) USING (username)
      RETURNING 1)
    SELECT count(*) FROM issued")"
  [ "$made" = "$writers" ] || fail "making $writers writer accounts with API tokens made $made"

  # Articles: 12 the probes read (nobody favorites them, so their cached
  # pages stay valid), the rest favorited one each.
  local articles="$RUNDIR/failover-articles.txt" slug_file="$RUNDIR/failover-slugs.txt" count
  sql primary "SELECT slug FROM articles WHERE status = 'published' AND slug ~ '^[a-z0-9-]+\$'
    ORDER BY random() LIMIT 612" >"$articles"
  count="$(wc -l <"$articles")"
  [ "$count" -ge 112 ] || fail "only $count published articles: the probes need 12 and the writers at least 100"
  tail -n +13 "$articles" >"$slug_file"
  PROBE_PATHS=(/ /popular "/?page=2" "/?page=3")
  mapfile -t -O 4 PROBE_PATHS < <(head -n 12 "$articles" | sed 's|^|/articles/|')
  local path
  for path in "${PROBE_PATHS[@]}"; do curl -s -g -o /dev/null --max-time 10 "$URL$path" || true; done

  local pgurl="${PRIMARY_URL%/*}/postgres"
  psql "$pgurl" -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning;
    CREATE TABLE IF NOT EXISTS cluster_failover (run text NOT NULL, n integer NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (run, n))" \
    || fail "could not make the table cluster_failover through $pgurl"
  info "Patroni: $leader leads, $standby is its synchronous standby; $user signed in through nginx;" \
    "$writers writer accounts with API tokens; probing ${#PROBE_PATHS[@]} pages in turn through nginx"

  local stopfile="$RUNDIR/failover.stop" sqlout="$RUNDIR/failover-sql.txt" apiout="$RUNDIR/failover-api.txt" probes="$RUNDIR/failover-probes.txt"
  rm -f "$stopfile" "$sqlout" "$sqlout.attempts" "$sqlout.errors" "$apiout" "$probes"
  : >"$sqlout"
  : >"$apiout"
  local pids=()
  sql_writer "$sqlout" "$stopfile" "$pgurl?application_name=cluster-test-writer" &
  pids+=("$!")
  api_writer "$apiout" "$stopfile" "$token_file" "$slug_file" &
  pids+=("$!")
  probe_loop "$probes" "$stopfile" &
  pids+=("$!")
  BG+=("${pids[@]}")
  sleep 5
  if [ ! -s "$sqlout" ] || ! awk '$4 == 200 {found = 1} END {exit !found}' "$apiout"; then
    touch "$stopfile"
    fail "before any kill, the writers got nowhere: psql $(wc -l <"$sqlout") acknowledged ($(tail -n 1 "$sqlout.errors" 2>/dev/null || true)); app answers: $(awk '{print $4}' "$apiout" | sort | uniq -c | tr -s ' \n' ' ')"
  fi

  local t_kill_began t_kill
  t_kill_began=$EPOCHREALTIME
  cl kill primary || fail "scripts/cluster.sh kill primary failed: $(cl_said)"
  t_kill=$EPOCHREALTIME
  [ "$(cl status 2>/dev/null | awk -v n="$leader" '$1 == n {print $2}' || true)" = stopped ] \
    || fail "$leader still runs after scripts/cluster.sh kill primary: $(cl_said)"
  info "$leader (the primary) SIGKILLed, its Patroni and its postmaster, 5 s into the writes"

  # Until both writers have an acknowledgement again (45 s at most).
  local sql_back="" api_back=""
  while [ "$(calc "($EPOCHREALTIME - $t_kill < 45)" 0)" = 1 ]; do
    [ -n "$sql_back" ] || sql_back="$(awk -v k="$t_kill" '$2 >= k {print $3; exit}' "$sqlout")"
    [ -n "$api_back" ] || api_back="$(awk -v k="$t_kill" '$2 >= k && $4 == 200 {print $3; exit}' "$apiout")"
    [ -n "$sql_back" ] && [ -n "$api_back" ] && break
    sleep 0.1
  done
  local promoted
  promoted="$(member_with leader)"
  info "writes acknowledged again $(if [ -n "$sql_back" ]; then calc "$sql_back - $t_kill"; else echo "never"; fi) s (psql)" \
    "and $(if [ -n "$api_back" ]; then calc "$api_back - $t_kill"; else echo "never"; fi) s (app) after the kill; Patroni's leader: ${promoted:-none}"

  # The dead node comes back: rewound, it follows the new primary.
  sleep 3
  local t_restart rejoin="" role
  t_restart=$EPOCHREALTIME
  if cl start "$leader"; then rejoin="$(since "$t_restart")"; else info "$leader did not start again: $(cl_said 2)"; fi
  role="$(member_role "$leader")"
  sleep 2
  touch "$stopfile"
  for i in "${pids[@]}"; do wait "$i" || true; done

  # The psql writer: every acknowledged row must be on the new primary.
  local sql_acked sql_found sql_lost sql_extra sql_attempts sql_last sql_first sql_gap="never" on_replica
  cut -d' ' -f1 "$sqlout" | sort >"$RUNDIR/failover-sql-acked.txt"
  psql "$pgurl" -X -q -t -A -v ON_ERROR_STOP=1 -c "SELECT n FROM cluster_failover WHERE run = '$RUN'" \
    | sort >"$RUNDIR/failover-sql-found.txt" || fail "could not read cluster_failover back through $pgurl"
  sql_attempts="$(wc -l <"$sqlout.attempts")"
  sql_acked="$(wc -l <"$RUNDIR/failover-sql-acked.txt")"
  sql_found="$(comm -12 "$RUNDIR/failover-sql-acked.txt" "$RUNDIR/failover-sql-found.txt" | wc -l)"
  sql_lost="$(comm -23 "$RUNDIR/failover-sql-acked.txt" "$RUNDIR/failover-sql-found.txt" | wc -l)"
  sql_extra="$(comm -13 "$RUNDIR/failover-sql-acked.txt" "$RUNDIR/failover-sql-found.txt" | wc -l)"
  read -r sql_last sql_first <<<"$(acks_around "$sqlout" "$t_kill")"
  [ "$sql_first" = - ] || [ "$sql_last" = - ] || sql_gap="$(calc "$sql_first - $sql_last")"
  on_replica="$(psql "${REPLICA_URL%/*}/postgres" -X -q -t -A -c "SELECT count(*) FROM cluster_failover WHERE run = '$RUN'" 2>/dev/null || echo "?")"
  info "psql writer through HAProxy ($pgurl): $sql_attempts inserts tried, $sql_acked acknowledged, $sql_found of them found," \
    "$sql_lost lost, $sql_extra committed without an acknowledgement; $sql_gap s without writes; $on_replica rows on the replica"

  # The app's writer: every acknowledged favorite must be there.
  local api_tried api_acked api_found api_lost api_extra api_last api_first api_gap="never" refused
  local -a writer_names slug_list
  mapfile -t writer_names <"$names"
  mapfile -t slug_list <"$slug_file"
  awk '$4 == 200' "$apiout" >"$RUNDIR/failover-api-200.txt"
  while read -r i _; do
    echo "${writer_names[$((i % writers))]} ${slug_list[$i]}"
  done <"$RUNDIR/failover-api-200.txt" | sort >"$RUNDIR/failover-api-acked.txt"
  sql primary "SELECT u.username || ' ' || a.slug FROM favorites f JOIN users u ON u.id = f.user_id
    JOIN articles a ON a.id = f.article_id AND a.created_at = f.article_created_at
    WHERE u.username ~ '^ctp${RUN}w[0-9]+\$'" | sort >"$RUNDIR/failover-api-found.txt"
  api_tried="$(wc -l <"$apiout")"
  api_acked="$(wc -l <"$RUNDIR/failover-api-acked.txt")"
  api_found="$(comm -12 "$RUNDIR/failover-api-acked.txt" "$RUNDIR/failover-api-found.txt" | wc -l)"
  api_lost="$(comm -23 "$RUNDIR/failover-api-acked.txt" "$RUNDIR/failover-api-found.txt" | wc -l)"
  api_extra="$(comm -13 "$RUNDIR/failover-api-acked.txt" "$RUNDIR/failover-api-found.txt" | wc -l)"
  refused="$(awk '$4 != 200 {print $4}' "$apiout" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep = ", "}')"
  read -r api_last api_first <<<"$(acks_around "$RUNDIR/failover-api-200.txt" "$t_kill")"
  [ "$api_first" = - ] || [ "$api_last" = - ] || api_gap="$(calc "$api_first - $api_last")"
  info "app writer (favorites through nginx's JSON API): $api_tried tried, $api_acked acknowledged (200), $api_found of them found," \
    "$api_lost lost, $api_extra saved without a 200 (others: ${refused:-none}); $api_gap s without writes"

  # Reads through nginx from the kill until both writers were back.
  local back="$t_kill" c b s problems=()
  [ -n "$sql_back" ] && [ "$(calc "($sql_back > $back)" 0)" = 1 ] && back="$sql_back"
  [ -n "$api_back" ] && [ "$(calc "($api_back > $back)" 0)" = 1 ] && back="$api_back"
  [ -n "$sql_back" ] && [ -n "$api_back" ] || back="$(calc "$t_kill + 45" 6)"
  read -r c b s <<<"$(reads_in "$probes" "$t_kill_began" "$back")"
  info "reads through nginx during the gap ($(calc "$back - $t_kill_began") s): $c requests, $b not 200, slowest $s s"
  [ "$c" -gt 0 ] || problems+=("no read was made during the gap")
  [ "$b" = 0 ] || problems+=("$b of $c reads through nginx were not 200 during the gap (see $probes)")
  local c2 b2 s2
  read -r c2 b2 s2 <<<"$(reads_in "$probes" "$back" "$EPOCHREALTIME")"
  info "reads after the gap, while $leader came back: $c2 requests, $b2 not 200, slowest $s2 s"

  local me_after
  me_after="$(whoami "$URL" "$jar")"
  info "session made before the kill: /fn/me through nginx says \"$me_after\""
  [ "$me_after" = "$user" ] || problems+=("the session made before the kill is gone: /fn/me says \"$me_after\"")

  if [ -n "$rejoin" ]; then
    info "$leader started again ${rejoin} s until it streamed as the synchronous standby (Patroni: ${role:-?})"
    [[ "$role" == sync_standby* || "$role" == replica* ]] || problems+=("$leader came back as \"$role\", not a replica")
  else
    problems+=("$leader did not rejoin as a replica")
  fi

  figure "primary killed under writes: $sql_gap s without writes (psql), $api_gap s (the app's, through nginx); acknowledged $((sql_acked + api_acked)), found $((sql_found + api_found)), lost $((sql_lost + api_lost))"
  [ "$sql_gap" != never ] && [ "$(calc "($sql_gap <= 30)" 0)" = 1 ] || problems+=("psql writes did not resume within 30 s ($sql_gap s)")
  [ "$api_gap" != never ] && [ "$(calc "($api_gap <= 30)" 0)" = 1 ] || problems+=("the app's writes did not resume within 30 s ($api_gap s)")
  [ "$sql_lost" = 0 ] || problems+=("$sql_lost acknowledged psql inserts lost (see $RUNDIR/failover-sql-*.txt)")
  [ "$api_lost" = 0 ] || problems+=("$api_lost acknowledged favorites lost (see $RUNDIR/failover-api-*.txt)")
  [ ${#problems[@]} -eq 0 ] || fail "$(joined "${problems[@]}")"
  # Passed: the writers and their rows go (the signed-in reader stays).
  sql primary "DELETE FROM users WHERE username ~ '^ctp${RUN}w[0-9]+\$'" >/dev/null || true
  psql "$pgurl" -X -q -c "DELETE FROM cluster_failover WHERE run = '$RUN'" >/dev/null 2>&1 || true
  pass "$leader SIGKILLed under writes: they resumed after $sql_gap s (psql) and $api_gap s (the app's);" \
    "$((sql_acked + api_acked)) acknowledged, none lost; $c reads through nginx during the gap, all 200;" \
    "the session survived; $leader rejoined as a replica in $rejoin s"
}
