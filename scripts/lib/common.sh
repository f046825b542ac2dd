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

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
