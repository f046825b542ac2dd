#!/usr/bin/env bash
# Renders cluster.conf.template into PREFIX/conf/nginx.conf for a local
# cluster, with the shared files beside it, and prints the nginx command.
#
#   deploy/nginx/render-cluster.sh PREFIX PORT ADDRESS...
#   deploy/nginx/render-cluster.sh .data/cluster/nginx 8080 127.0.0.1:3101 127.0.0.1:3102
#
# PREFIX is made absolute and created with conf/, logs/, tmp/ and cache/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Run from a checkout only (make cluster, validate-deploy, by hand; the image
# holds no deploy/), so the scripts' helpers are always two folders up.
LOG_PREFIX=render-cluster
# shellcheck source=scripts/lib/common.sh
. "$here/../../scripts/lib/common.sh"

[ $# -ge 3 ] || die "usage: $0 PREFIX PORT ADDRESS... (e.g. .data/cluster/nginx 8080 127.0.0.1:3101 127.0.0.1:3102)"
prefix="$1" port="$2"
shift 2
[[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got \`$port\`"
mkdir -p "$prefix"/{conf,logs,tmp,cache}
prefix="$(cd "$prefix" && pwd)"
[[ "$prefix" =~ ^[A-Za-z0-9_./-]+$ ]] || die "PREFIX must be a plain path (letters, digits, _ . / -), got \`$prefix\`"

upstreams=""
for address in "$@"; do
  [[ "$address" =~ ^[0-9.]+:[0-9]+$|^\[[0-9a-fA-F:]+\]:[0-9]+$ ]] || die "ADDRESS must be ip:port, got \`$address\`"
  upstreams+="        server $address max_fails=3 fail_timeout=10s;"$'\n'
done
upstreams="${upstreams%$'\n'}"

conf="$(<"$here/cluster.conf.template")"
conf="${conf//@UPSTREAMS@/"$upstreams"}"
conf="${conf//@PREFIX@/"$prefix"}"
conf="${conf//@PORT@/"$port"}"
printf '%s\n' "$conf" >"$prefix/conf/nginx.conf"
cp "$here/warta-http.conf" "$here/warta-locations.conf" "$here/warta-proxy.conf" "$prefix/conf/"

echo "nginx -p $prefix -c $prefix/conf/nginx.conf -e $prefix/logs/error.log"
