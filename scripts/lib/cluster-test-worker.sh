# shellcheck shell=bash
# Sourced by scripts/cluster-test.sh: check 6, the worker SIGKILLed during
# a notification fan-out, and the outbox readers it counts emails with. It
# runs in run_check's subshell and ends with pass or fail.

# ------------------------------------------------------------------ check 6
# The .eml files written since MARKER.
new_mail() { find "$OUTBOX" -maxdepth 1 -type f -name '*.eml' -newer "$1" 2>/dev/null; }
# Each file of new_mail whose Subject is SUBJECT, and its recipient's
# address (lower case): `file<TAB>address` lines.
recipients_of() {
  # shellcheck disable=SC2016 # an awk program
  new_mail "$1" | tr '\n' '\0' | xargs -0 -r awk -v want="$2" '
    function addr(v) {
      if (match(v, /<[^>]*>/)) return tolower(substr(v, RSTART + 1, RLENGTH - 2))
      gsub(/^[ \t]+|[ \t]+$/, "", v); return tolower(v)
    }
    function done() { if (open && subject == want) print file "\t" addr(to); open = 0 }
    FNR == 1 { done(); open = 1; file = FILENAME; field = ""; to = ""; subject = "" }
    open {
      sub(/\r$/, "")
      if ($0 == "") { done(); next }
      if ($0 ~ /^[ \t]/) { if (field == "to") to = to $0; else if (field == "subject") subject = subject $0; next }
      colon = index($0, ":"); field = tolower(substr($0, 1, colon - 1))
      value = substr($0, colon + 1); sub(/^[ \t]+/, "", value)
      if (field == "to") to = value; else if (field == "subject") subject = value
    }
    END { done() }'
}

check_6() {
  local author="ct${RUN}w" jar="$RUNDIR/session-author.jar" code me title subject marker="$RUNDIR/publish.marker"
  local slug article lag="$RUNDIR/replica-lag.txt" sampler
  code="$(register "$URL" "$author" "$jar")"
  me="$(whoami "$URL" "$jar")"
  [ "$me" = "$author" ] || fail "registering the author $author through nginx answered $code, then /fn/me says \"$me\""
  local started=$EPOCHREALTIME inserted
  inserted="$(sql primary "
    WITH author AS (SELECT id FROM users WHERE lower(username) = lower('$author')),
    fresh AS (
      INSERT INTO users (username, email, password_hash, email_verified)
      SELECT 'ctf${RUN}_' || g, 'ctf${RUN}_' || g || '@example.test', 'cluster-test: never signs in', true
      FROM generate_series(1, $FOLLOWERS) AS g
      RETURNING id),
    followed AS (INSERT INTO follows (follower_id, author_id) SELECT fresh.id, author.id FROM fresh, author RETURNING 1)
    SELECT count(*) FROM followed")"
  [ "$inserted" = "$FOLLOWERS" ] || fail "inserting $FOLLOWERS followers of $author made $inserted follows"
  info "author $author registered through nginx; $FOLLOWERS followers inserted with SQL in $(since "$started") s"

  # The replica's lag on the primary, every 0.2 s, from the publish until
  # the last job is done.
  printf '%s\n' "SELECT to_char(clock_timestamp(), 'HH24:MI:SS.MS'),
      COALESCE(max(pg_wal_lsn_diff(sent_lsn, replay_lsn)), 0),
      COALESCE(round(max(extract(epoch FROM replay_lag) * 1000)), 0) FROM pg_stat_replication;" '\watch 0.2' \
    | psql "$PRIMARY_URL" -X -q -t -A -F ' ' >"$lag" 2>&1 &
  sampler=$!; BG+=("$sampler")

  title="Fan-out $RUN" subject="$author: Fan-out $RUN"
  touch "$marker"
  sleep 0.01
  local published_at=$EPOCHREALTIME answer
  answer="$(curl -s -g -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 20 -b "$jar" -c "$jar" \
    -H "Origin: $ORIGIN" -H "Referer: $ORIGIN/editor" -H 'Accept: text/html' \
    --data-urlencode "title=$title" --data-urlencode "description=The cluster test's fan-out" \
    --data-urlencode "body=Published by scripts/cluster-test.sh to $FOLLOWERS followers." \
    --data-urlencode "tags=cluster-test" --data-urlencode "intent=publish" "$URL/editor" || true)"
  [[ "$answer" == 303\ */articles/* ]] || fail "publishing through nginx (POST /editor) answered \"$answer\", not 303 to /articles/..."
  slug="${answer##*/articles/}"
  [[ "$slug" =~ ^[A-Za-z0-9_-]+$ ]] || fail "publishing redirected to an unexpected slug: $answer"
  article="$(sql primary "SELECT id FROM articles WHERE slug = '$slug'")"
  [[ "$article" =~ ^[0-9]+$ ]] || fail "no article with the slug $slug in the primary"
  info "published /articles/$slug (id $article) through nginx; waiting for its first emails"

  # Some emails sent, not all: SIGKILL the worker.
  local i sent=0
  for i in $(seq 1200); do
    sent="$(new_mail "$marker" | wc -l)"
    [ "$sent" -gt 0 ] && break
    sleep 0.05
  done
  [ "$sent" -gt 0 ] || fail "no email reached $OUTBOX within 60 s of publishing (worker log: $(cl log worker))"
  # Freeze it at once (a fan-out writes thousands of files a second), then
  # kill it: SIGKILL reaches a stopped process as it is.
  local worker_pid
  worker_pid="$(cat "$CLUSTER/run/worker.pid" 2>/dev/null || true)"
  [ -n "$worker_pid" ] && kill -STOP "$worker_pid" 2>/dev/null || true
  cl kill worker || fail "scripts/cluster.sh kill worker failed: $(cl_said)"
  new_mail "$marker" >"$RUNDIR/outbox-at-kill.txt"
  sent="$(wc -l <"$RUNDIR/outbox-at-kill.txt")"
  local recorded
  recorded="$(sql primary "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL) || ' sent, ' || count(*) || ' recorded'
    FROM notifications WHERE article_id = $article")"
  info "worker SIGKILLed $(since "$published_at") s after publishing, with $sent of $FOLLOWERS emails in the outbox (notifications: $recorded)"
  [ "$sent" -lt "$FOLLOWERS" ] \
    || fail "the fan-out had finished ($sent emails) before the worker could be killed: nothing was tested (raise CLUSTER_TEST_FOLLOWERS)"
  touch "$RUNDIR/restart.marker"
  cl start worker || fail "the worker did not start again: $(cl_said 2)"
  info "worker started again; waiting (120 s at most) until no job of the article remains (a dead worker's jobs wait for their lease, 30 s)"

  local jobs="" restarted=$EPOCHREALTIME
  for i in $(seq 240); do
    jobs="$(sql primary "SELECT count(*) || ' ' || COALESCE(string_agg(DISTINCT state, ','), '')
      FROM jobs WHERE payload->>'article_id' = '$article'")"
    [ "${jobs%% *}" = 0 ] && break
    [ $((i % 20)) = 0 ] && info "after $((i / 2)) s: jobs left: ${jobs%% *} (${jobs#* }); emails: $(new_mail "$marker" | wc -l)"
    sleep 0.5
  done
  local finished
  finished="$(since "$restarted")"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  local lag_max
  lag_max="$(awk 'NF == 3 { n++; if ($2 > b) b = $2; if ($3 > ms) ms = $3 } END { printf "%d bytes, %d ms (%d samples)", b, ms, n }' "$lag")"
  figure "replica lag during the publish test: at most $lag_max"
  if [ "${jobs%% *}" != 0 ]; then
    fail "$finished s after the worker's restart, ${jobs%% *} job(s) of the article remain (${jobs#* }): $(sql primary "SELECT string_agg(DISTINCT left(last_error, 120), ' | ') FROM jobs WHERE payload->>'article_id' = '$article'")"
  fi
  info "no job left $finished s after the restart ($(since "$published_at") s after publishing)"

  local to="$RUNDIR/fanout-recipients.txt" emails distinct ours duplicates
  recipients_of "$marker" "$subject" >"$to"
  emails="$(wc -l <"$to")"
  distinct="$(cut -f2 "$to" | sort -u | wc -l)"
  ours="$(cut -f2 "$to" | sort -u | grep -c "^ctf${RUN}_[0-9]*@example\.test\$" || true)"
  duplicates=$((emails - distinct))
  recorded="$(sql primary "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL) || ' sent, ' || count(*) FILTER (WHERE refused IS NOT NULL) || ' refused'
    FROM notifications WHERE article_id = $article")"
  info "outbox: $emails emails with Subject \"$subject\", to $distinct distinct addresses ($ours of the followers); $duplicates sent twice; notifications: $recorded"
  # Emails written before the kill and written again after the restart:
  # in flight at the kill (handed to the transport, not yet recorded). The
  # outbox names a file by Message-ID, so the repeat replaced the first.
  local again=0 file
  while IFS= read -r file; do
    [ "$file" -nt "$RUNDIR/restart.marker" ] && again=$((again + 1))
  done <"$RUNDIR/outbox-at-kill.txt"
  info "$again email(s) in flight at the kill were sent again after the restart, under the same Message-ID (the outbox kept one copy of each)"
  if [ "$emails" = "$FOLLOWERS" ] && [ "$distinct" = "$FOLLOWERS" ] && [ "$ours" = "$FOLLOWERS" ]; then
    # Passed: the followers and their emails go (the author and article stay).
    cut -f1 "$to" | tr '\n' '\0' | xargs -0 -r rm -f
    sql primary "DELETE FROM users WHERE username LIKE 'ctf${RUN}\\_%'" >/dev/null || true
    pass "worker killed with $sent of $FOLLOWERS emails sent; after its restart every follower has exactly one ($emails emails, $distinct addresses, all jobs done $finished s later); replica lag at most $lag_max"
  fi
  mkdir -p "$RUNDIR/outbox"
  cut -f1 "$to" | tr '\n' '\0' | xargs -0 -r mv -t "$RUNDIR/outbox/"
  fail "$FOLLOWERS followers, but $emails emails to $distinct distinct addresses ($ours followers; $duplicates duplicates) (emails moved to $RUNDIR/outbox; followers ctf${RUN}_* kept)"
}
