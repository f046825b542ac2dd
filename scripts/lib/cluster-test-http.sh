# shellcheck shell=bash
# Sourced by scripts/cluster-test.sh: what its checks do over HTTP: load
# with wrk and read its report, wait until nginx routes to an instance
# again, register a reader and ask who is signed in. Uses cluster-test.sh's
# settings (RUN, RUNDIR, URL, ORIGIN, PASSWORD, ACCESS_LOG) and helpers
# (cl, cl_said, fail, since, web_addr).

WRK=""
need_wrk() {
  [ -n "$WRK" ] || WRK="$(cl wrk-path 2>/dev/null || true)"
  [ -n "$WRK" ] || fail "no wrk (\`scripts/cluster.sh wrk-path\` could not provide one: $(cl_said))"
}
# Reads wrk's report in FILE into W_REQS, W_SECS, W_RPS, W_LAT, W_NON2XX
# (0 when wrk prints no such line) and W_SOCKET (empty when none).
# shellcheck disable=SC2034 # W_* are read by the checks
wrk_parse() {
  W_REQS="$(awk '/ requests in /{print $1}' "$1")"
  W_SECS="$(awk '/ requests in /{sub(/,$/, "", $4); print $4}' "$1")"
  W_RPS="$(awk '/^Requests\/sec:/{print $2}' "$1")"
  W_LAT="$(awk '$1 == "Latency" {print $2 " avg, " $4 " max"; exit}' "$1")"
  W_NON2XX="$(awk -F': *' '/Non-2xx or 3xx responses/{print $2}' "$1")"
  W_NON2XX="${W_NON2XX:-0}"
  W_SOCKET="$(grep -o 'Socket errors:.*' "$1" || true)"
}
wrk_ok() { [ -n "$W_RPS" ] && [ "$W_NON2XX" = 0 ] && [ -z "$W_SOCKET" ]; }
wrk_problems() {
  local problems=()
  [ -n "$W_RPS" ] || problems+=("wrk printed no report (see $1)")
  [ "$W_NON2XX" = 0 ] || problems+=("$W_NON2XX non-2xx/3xx responses")
  [ -z "$W_SOCKET" ] || problems+=("${W_SOCKET,}")
  joined "${problems[@]}"
}
joined() { local IFS=';' all; all="$*"; echo "${all//;/; }"; }

log_size() { stat -L -c %s "$ACCESS_LOG" 2>/dev/null || echo 0; }
# Waits (15 s at most) until nginx has sent webN one of this function's
# /healthz requests (told apart in the access log by their User-Agent) and
# it answered 200: after an instance failed, nginx leaves it out for
# fail_timeout (10 s), and an instance is back only once nginx routes to
# it again. Prints the seconds waited.
in_rotation() {
  local addr offset started=$EPOCHREALTIME agent="cluster-test-$RUN-rotation"
  addr="$(web_addr "$1")" offset="$(log_size)"
  for _ in $(seq 75); do
    curl -s -o /dev/null -A "$agent" --max-time 3 "$URL/healthz" || true
    curl -s -o /dev/null -A "$agent" --max-time 3 "$URL/healthz" || true
    # (grep -c reads it all: with -q, tail could die of SIGPIPE, failing the pipeline)
    if [ "$(tail -c +"$((offset + 1))" "$ACCESS_LOG" 2>/dev/null | grep -F "\"$agent\"" | grep -c "upstream=$addr ustatus=200" || true)" -gt 0 ]; then
      since "$started"; return 0
    fi
    sleep 0.2
  done
  since "$started"
  return 1
}

# Registers USER on BASE (an instance or nginx) with the cookie jar JAR, as
# a browser's plain form post; prints the HTTP status.
register() {
  local base="$1" user="$2" jar="$3"
  curl -s -g -o "$RUNDIR/register-$user.html" -D "$RUNDIR/register-$user.headers" -w '%{http_code}' --max-time 20 \
    -c "$jar" -b "$jar" -H "Origin: $ORIGIN" -H "Referer: $ORIGIN/register" -H 'Accept: text/html' \
    --data-urlencode "username=$user" --data-urlencode "email=$user@example.test" \
    --data-urlencode "password=$PASSWORD" "$base/fn/register" || true
}
# Where a response in FILE (headers) sent the client, if anywhere.
location_in() { tr -d '\r' <"$1" 2>/dev/null | awk 'tolower($1) == "location:" {print $2}' | tail -n1; }
# Who BASE says is signed in with JAR: a username, `null`, or what went wrong.
whoami() {
  local base="$1" jar="$2" out code body
  out="$(curl -s -g --max-time 10 -b "$jar" -H "Origin: $ORIGIN" -H "Referer: $ORIGIN/" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data '' -w '\n%{http_code}' "$base/fn/me" || true)"
  code="${out##*$'\n'}" body="${out%$'\n'*}"
  if [ "$code" = 200 ] && [[ "$body" =~ \"username\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; then
    echo "${BASH_REMATCH[1]}"
  elif [ "$code" = 200 ] && [ "$body" = null ]; then
    echo null
  else
    echo "HTTP ${code:-000} ${body:0:80}"
  fi
}
