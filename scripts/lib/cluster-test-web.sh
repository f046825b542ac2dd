# shellcheck shell=bash
# Sourced by scripts/cluster-test.sh: the checks of the web instances (1
# session across instances, 2 an instance killed under load, 3 a rolling
# restart under load) and the figures (requests/s with one instance and
# with two). Each runs in run_check's subshell and ends with pass or fail.

# ------------------------------------------------------------------ check 1
check_1() {
  local user="ct${RUN}a" jar="$RUNDIR/session-1.jar" code on1 on2
  code="$(register "$WEB1" "$user" "$jar")"
  [ "$code" = 429 ] && fail "registering on web1 was rate-limited (429: 30 registrations per address per 10 minutes)"
  grep -q warta_session "$jar" 2>/dev/null \
    || fail "registering $user on web1 ($WEB1) answered $code$(location_in "$RUNDIR/register-$user.headers" | sed 's/^/ to /') and set no warta_session cookie"
  on1="$(whoami "$WEB1" "$jar")"
  on2="$(whoami "$WEB2" "$jar")"
  info "registered $user on web1 ($WEB1/fn/register: $code); /fn/me: web1 \"$on1\", web2 \"$on2\""
  [ "$on2" = "$user" ] || fail "the session made on web1 is not honoured by web2: /fn/me on $WEB2 says \"$on2\" (web1 says \"$on1\")"
  pass "registered $user on web1 (HTTP $code); web2's /fn/me with the same cookie says \"$on2\""
}

# ------------------------------------------------------------------ check 2
check_2() {
  need_wrk
  local out="$RUNDIR/wrk-kill.txt" pid offset retried back
  offset="$(log_size)"
  "$WRK" -t2 -c16 -d12s "$URL/" >"$out" 2>&1 &
  pid=$!; BG+=("$pid")
  sleep 4
  cl kill web1 || fail "scripts/cluster.sh kill web1 failed: $(cl_said)"
  info "web1 SIGKILLed 4 s into wrk -t2 -c16 -d12s $URL/"
  wait "$pid" || true
  wrk_parse "$out"
  retried="$(tail -c +"$((offset + 1))" "$ACCESS_LOG" 2>/dev/null | grep -c 'upstream=[^ ]*, ' || true)"
  info "wrk: $W_REQS requests in $W_SECS, $W_RPS requests/s, latency $W_LAT; non-2xx/3xx: $W_NON2XX; socket errors: ${W_SOCKET:-none}"
  info "nginx sent $retried requests on to another instance"
  figure "requests/s through nginx while web1 was killed: $W_RPS"
  cl start web1 || fail "web1 did not start again: $(cl_said 2)"
  if back="$(in_rotation web1)"; then
    info "web1 started again; nginx routes to it after ${back} s"
  else
    info "web1 started again, but nginx routed nothing to it in ${back} s"
  fi
  wrk_ok || fail "$(wrk_problems "$out") while web1 was killed"
  pass "$W_REQS requests, $W_RPS requests/s, no socket errors, no non-2xx/3xx with web1 SIGKILLed 4 s in; $retried retried by nginx; web1 back"
}

# ------------------------------------------------------------------ check 3
check_3() {
  need_wrk
  local i user jar code me users=() jars=() out="$RUNDIR/wrk-rolling.txt" pid name took back problems=() lost=() a b
  for i in 1 2 3; do
    user="ct${RUN}r$i" jar="$RUNDIR/session-r$i.jar"
    code="$(register "$URL" "$user" "$jar")"
    me="$(whoami "$URL" "$jar")"
    [ "$me" = "$user" ] || fail "session $i: registering $user through nginx answered $code, then /fn/me says \"$me\""
    users+=("$user") jars+=("$jar")
  done
  info "3 sessions signed in through nginx: ${users[*]}"
  for name in web1 web2; do in_rotation "$name" >/dev/null || info "note: nginx routes nothing to $name before the restarts"; done
  "$WRK" -t2 -c16 -d300s "$URL/" >"$out" 2>&1 &
  pid=$!; BG+=("$pid")
  sleep 2
  for name in web1 web2; do
    local started=$EPOCHREALTIME
    if cl restart "$name"; then
      took="$(since "$started")"
      if back="$(in_rotation "$name")"; then
        info "$name restarted (SIGTERM, ready again) in ${took} s; nginx routes to it ${back} s later"
      else
        info "$name restarted in ${took} s, but nginx routed nothing to it in ${back} s"
      fi
    else
      problems+=("$name did not restart: $(cl_said)")
      break
    fi
  done
  sleep 2
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" || true
  wrk_parse "$out"
  info "wrk during the restarts: $W_REQS requests in $W_SECS, $W_RPS requests/s, latency $W_LAT; non-2xx/3xx: $W_NON2XX; socket errors: ${W_SOCKET:-none}"
  figure "requests/s through nginx during the rolling restart: $W_RPS"
  wrk_ok || problems+=("$(wrk_problems "$out") during the rolling restart")
  for i in 0 1 2; do
    a="$(whoami "$WEB1" "${jars[$i]}")" b="$(whoami "$WEB2" "${jars[$i]}")"
    info "session ${users[$i]}: /fn/me web1 \"$a\", web2 \"$b\""
    [ "$a" = "${users[$i]}" ] && [ "$b" = "${users[$i]}" ] || lost+=("${users[$i]}")
  done
  [ ${#lost[@]} -eq 0 ] || problems+=("${#lost[@]} of 3 sessions lost (${lost[*]})")
  [ ${#problems[@]} -eq 0 ] || fail "$(joined "${problems[@]}")"
  pass "web1 then web2 restarted under load: $W_REQS requests, $W_RPS requests/s, no socket errors, no non-2xx/3xx; 3 of 3 sessions honoured by both instances"
}

# ------------------------------------------------------------------ figures
figures() {
  need_wrk
  local one two out1="$RUNDIR/wrk-one.txt" out2="$RUNDIR/wrk-two.txt" back
  cl stop web2 || fail "scripts/cluster.sh stop web2 failed: $(cl_said)"
  "$WRK" -t2 -c16 -d10s "$URL/" >"$out1" 2>&1 || true
  wrk_parse "$out1"
  one="$W_RPS"
  info "web1 alone: $W_REQS requests in $W_SECS, $W_RPS requests/s, latency $W_LAT; non-2xx/3xx: $W_NON2XX; socket errors: ${W_SOCKET:-none}"
  cl start web2 || fail "web2 did not start again: $(cl_said 2)"
  back="$(in_rotation web2)" || info "nginx routed nothing to web2 in ${back} s"
  "$WRK" -t2 -c16 -d10s "$URL/" >"$out2" 2>&1 || true
  wrk_parse "$out2"
  two="$W_RPS"
  info "web1 and web2: $W_REQS requests in $W_SECS, $W_RPS requests/s, latency $W_LAT; non-2xx/3xx: $W_NON2XX; socket errors: ${W_SOCKET:-none}"
  if [ -z "$one" ] || [ -z "$two" ]; then fail "wrk printed no report (see $out1, $out2)"; fi
  figure "requests/s through nginx on /, wrk -t2 -c16 10 s: one web instance $one, two $two (x$(calc "$two / $one" 2), $(nproc) cores)"
  # Not a check: no PASS line.
  printf 'FIGURES one web instance %s requests/s, two %s\n' "$one" "$two"
  done_
}
