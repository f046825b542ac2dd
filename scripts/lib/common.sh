# shellcheck shell=bash
# The helpers the scripts share, sourced after the script sets LOG_PREFIX,
# the name its messages start with:
#
#   LOG_PREFIX=bench
#   # shellcheck source=scripts/lib/common.sh
#   . "$ROOT/scripts/lib/common.sh"
#
# Messages go to stderr, so a script's stdout stays what callers parse.

log() { echo "$LOG_PREFIX: $*" >&2; }
# Exits 1, or DIE_STATUS where 1 already means something (cluster-test.sh:
# a check failed).
die() { log "error: $*"; exit "${DIE_STATUS:-1}"; }
step() { printf '\n==> %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }
# Runs a command as root: directly, through sudo when it asks no password,
# else returns 1 so the caller can say what to install.
as_root() {
  if is_root; then "$@"
  elif sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

# wait_ready URL SECONDS [PID [LOG]]: returns once URL answers (curl -f: a
# 2xx or 3xx status, so /readyz's 503 counts as not yet), trying every 0.1 s
# for about SECONDS seconds (a whole number). With PID, gives up as soon as
# that process has exited; with LOG, the file its output goes to, prints it
# before failing and names it. Fails with die, so the caller's EXIT trap
# stops whatever it started.
wait_ready() {
  local url="$1" seconds="$2" pid="${3:-}" log_file="${4:-}" i why
  for (( i = 0; i < seconds * 10; i++ )); do
    curl -sf --max-time 2 -o /dev/null "$url" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      why="process $pid exited before $url answered"
      break
    fi
    sleep 0.1
  done
  if [ -z "${why:-}" ]; then
    curl -sf --max-time 2 -o /dev/null "$url" && return 0
    why="$url did not answer within $seconds s"
  fi
  if [ -n "$log_file" ]; then
    cat "$log_file" >&2 || true
    why+=" (log: $log_file)"
  fi
  die "$why"
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
