# shellcheck shell=bash
# Sourced by scripts that need a program this machine may lack (nginx,
# wrk): `debian_tool PKG` unpacks Debian's PKG package into $TOOLS/PKG
# without root (`apt-get download` + `dpkg -x`), unless it is there already.
# Needs TOOLS, and common.sh sourced first (log); returns 1 when it cannot.
debian_tool() {
  local pkg="$1" download
  [ -d "$TOOLS/$pkg/usr" ] && return 0
  command -v apt-get >/dev/null && command -v dpkg >/dev/null || return 1
  log "unpacking Debian's $pkg package into $TOOLS/$pkg"
  mkdir -p "$TOOLS"
  download="$(mktemp -d)"
  if (cd "$download" && apt-get download "$pkg" >/dev/null 2>&1) && dpkg -x "$download"/"${pkg}"_*.deb "$TOOLS/$pkg"; then
    rm -rf "$download"
    return 0
  fi
  rm -rf "$download" "${TOOLS:?}/$pkg"
  log "could not download Debian's $pkg package (apt-get update first?)"
  return 1
}
