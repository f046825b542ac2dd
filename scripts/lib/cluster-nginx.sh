# shellcheck shell=bash
# Sourced by scripts/cluster.sh: nginx in front of the web instances, and
# wrk, the load the cluster tests put on it; when not installed, Debian's
# package unpacked into .data/tools/PKG without root (debian_tool: `apt-get
# download` + `dpkg -x`), as scripts/validate-deploy.sh does. Uses
# cluster.sh's settings (CLUSTER, LOGS, RUN, TOOLS, HTTP_PORT, NOBODY) and
# helpers (pid_of, wait_exit, reachable_dir, web_names, web_port),
# debian-tool.sh and common.sh.

NGINX=""
nginx_bin() {
  if [ -z "$NGINX" ]; then
    NGINX="$(command -v nginx || true)"
    if [ -z "$NGINX" ]; then
      if [ -x "$TOOLS/nginx/usr/sbin/nginx" ] || debian_tool nginx; then NGINX="$TOOLS/nginx/usr/sbin/nginx"; fi
    fi
    [ -n "$NGINX" ] && "$NGINX" -v >/dev/null 2>&1 || die "no nginx (sudo apt-get install nginx), and Debian's package could not be unpacked"
  fi
  echo "$NGINX"
}

# wrk: the installed one, or Debian's unpacked with its LuaJIT behind a
# wrapper, .data/tools/bin/wrk. (`wrk -v` prints its version, exit code 1.)
wrk_runs() { local out; out="$("$1" -v 2>&1 || true)"; [[ "$out" == wrk* ]]; }
wrk_path() {
  local wrapper="$TOOLS/bin/wrk" binary="$TOOLS/wrk/usr/bin/wrk" libdir="" pkg
  if command -v wrk >/dev/null; then command -v wrk; return; fi
  if [ -x "$wrapper" ] && wrk_runs "$wrapper"; then echo "$wrapper"; return; fi
  debian_tool wrk || return 1
  local libs
  libs="$(ldd "$binary" 2>/dev/null || true)"
  if grep -q 'libluajit.*not found' <<<"$libs"; then
    for pkg in libluajit-5.1-2 libluajit2-5.1-2; do
      debian_tool "$pkg" || continue
      libdir="$(dirname "$(find "$TOOLS/$pkg" -name 'libluajit-5.1.so.2*' | head -n1)")"
      [ "$libdir" != . ] && break
      libdir=""
    done
    [ -n "$libdir" ] || { log "wrk needs LuaJIT, which could not be unpacked"; return 1; }
  fi
  mkdir -p "$TOOLS/bin"
  {
    echo '#!/bin/sh'
    echo '# Debian'"'"'s wrk, unpacked by scripts/cluster.sh (scripts/cluster.sh wrk-path).'
    [ -z "$libdir" ] || echo "LD_LIBRARY_PATH=\"$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\"; export LD_LIBRARY_PATH"
    echo "exec \"$binary\" \"\$@\""
  } >"$wrapper"
  chmod +x "$wrapper"
  wrk_runs "$wrapper" || { log "the unpacked wrk does not run here"; return 1; }
  echo "$wrapper"
}

# As root, nginx runs as nobody (as validate-deploy.sh runs it), in a
# prefix nobody owns, when nobody can run the binary (not when it was
# unpacked under a folder only root enters: then the master runs as root and
# its workers as nobody, as root's nginx does); otherwise as the user.
NGINX_PREFIX=""
nginx_prefix() {
  [ -n "$NGINX_PREFIX" ] || NGINX_PREFIX="$(reachable_dir nginx setpriv "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups)"
  echo "$NGINX_PREFIX"
}
nginx_as() {
  local user=(setpriv "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups)
  if is_root && command -v setpriv >/dev/null && "${user[@]}" "$1" -v 2>/dev/null; then "${user[@]}" "$@"; else "$@"; fi
}
nginx_cmd() {
  local prefix
  prefix="$(nginx_prefix)"
  nginx_as "$(nginx_bin)" -p "$prefix" -c "$prefix/conf/nginx.conf" -e "$prefix/logs/error.log" "$@"
}
nginx_pid() { pid_of "$CLUSTER/nginx/nginx.pid" nginx; }

start_nginx() {
  local prefix upstreams=() name
  nginx_pid >/dev/null && return
  port_busy "$HTTP_PORT" && die "port $HTTP_PORT (nginx) is taken by another program; set CLUSTER_PORT"
  nginx_bin >/dev/null
  prefix="$(nginx_prefix)"
  for name in $(web_names); do upstreams+=("127.0.0.1:$(web_port "$name")"); done
  "$ROOT/deploy/nginx/render-cluster.sh" "$prefix" "$HTTP_PORT" "${upstreams[@]}" >/dev/null
  is_root && chmod 755 "$prefix" && chown -R "$NOBODY:$NOBODY" "$prefix"
  mkdir -p "$LOGS"
  ln -sfn "$prefix/logs/error.log" "$LOGS/nginx-error.log"
  ln -sfn "$prefix/logs/access.log" "$LOGS/nginx-access.log"
  log "starting nginx on 127.0.0.1:$HTTP_PORT in front of ${upstreams[*]}"
  nginx_cmd -t -q || die "nginx -t failed on $prefix/conf/nginx.conf"
  nginx_cmd || { tail -20 "$prefix/logs/error.log" >&2; die "nginx did not start"; }
  for _ in $(seq 50); do port_busy "$HTTP_PORT" && { touch "$RUN/nginx.running"; return; }; sleep 0.1; done
  die "nginx does not listen on $HTTP_PORT (log: $prefix/logs/error.log)"
}

stop_nginx() {
  local pid
  pid="$(nginx_pid)" || { rm -f "$RUN/nginx.running"; return 0; }
  log "stopping nginx"
  nginx_cmd -s quit 2>/dev/null || kill -QUIT "$pid" 2>/dev/null || true
  wait_exit "$pid" 15 || { kill -TERM "$pid" 2>/dev/null || true; wait_exit "$pid" 5 || true; }
  rm -f "$RUN/nginx.running"
}
